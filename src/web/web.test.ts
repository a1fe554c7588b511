/**
 * The shopper's page in a real browser (Debian's Chromium driven by playwright-core): sign in by the e-mailed
 * link, link a shop, talk, see and delete what is known, decide who sees what, read the activity, erase.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bearer, testSystem, type TestSystem } from '../testing/harness.js';
import { mailbox } from '../testing/mailbox.js';
import { assertAccessible, screenshot } from './browser-testing.js';
import type { NewBrandKeys } from '../brands/brands.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let sys: TestSystem;
let box: Awaited<ReturnType<typeof mailbox>>;
let browser: Browser;
let page: Page;
let shop: NewBrandKeys;
const cspViolations: string[] = [];
let base: string;
/** The shop's pseudonymous id for the shopper, once linked. */
let shopPid: string;

before(async () => {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `browser tests need Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`,
  );
  box = await mailbox();
  process.env.SMTP_URL = box.url;
  sys = await testSystem();
  base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
  sys.ctx.publicUrl = base;
  shop = await sys.brand('Corner Shop');
  const order = {
    order_id: 'CS-9',
    customer_id: 'c-9',
    placed_at: '2026-11-18T10:00:00Z',
    items: [{ product_id: 'P1', name: 'Rye Bread', quantity: 1, unit_price: 4 }],
  };
  assert.equal(
    (
      await sys.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { authorization: bearer(shop.secretKey) },
        payload: { orders: [order] },
      })
    ).statusCode,
    200,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await (await browser.newContext()).newPage();
  page.on('dialog', (d) => void d.accept());
  // Whatever the Content-Security-Policy blocks, Chromium says on the console; the page must need none of it.
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  await sys?.close();
  await box?.close();
});

const tab = (name: string) => page.getByRole('tab', { name }).click();

describe("the shopper's own page", () => {
  test('a shop asks to link; the shopper signs in by the e-mailed link and confirms it', async () => {
    const request = await sys.app.inject({
      method: 'POST',
      url: '/v1/people/link-requests',
      headers: { authorization: bearer(shop.secretKey) },
      payload: { customer_id: 'c-9' },
    });
    const { url, code } = request.json();
    assert.ok(url.startsWith(`${base}/link?code=`));

    await page.goto(url);
    await page.getByText('Sign in to link the shop to your Confidant.').waitFor();
    await assertAccessible(page, 'the sign-in page');
    await screenshot(page, 'shopper-sign-in');
    await page.getByLabel('E-mail').fill('ivy@example.com');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText('Check your inbox: we sent a sign-in link to ivy@example.com').waitFor();

    // The link opens a page that asks (a link prefetcher spends nothing); its button signs in.
    const opened = await page.goto((await box.linkFor('ivy@example.com')).href);
    for (const h of ['content-security-policy', 'x-frame-options', 'x-content-type-options'])
      assert.ok(opened?.headers()[h], `the sign-in page sends ${h}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Corner Shop asks to link its customer account (c-9) to your Confidant').waitFor();
    await assertAccessible(page, 'the link page');
    await screenshot(page, 'shopper-link');
    await page.getByRole('button', { name: 'Yes, link it' }).click();
    await page.getByText('Corner Shop is linked to your Confidant.').waitFor();
    const status = (
      await sys.app.inject({
        url: `/v1/people/link-requests/${code}`,
        headers: { authorization: bearer(shop.secretKey) },
      })
    ).json();
    assert.equal(status.status, 'confirmed');
    shopPid = status.pid;
    const cookie = (await page.context().cookies()).find((c) => c.name === 'confidant_session');
    assert.equal(cookie?.httpOnly, true, 'the session is an HTTP-only cookie');
  });

  test('the chat confirms what it heard, and "What I know" lists it with its source and can delete it', async () => {
    await page.getByPlaceholder('Ask about an order, or tell me what you like').fill("I'm vegan and I wear a medium");
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .locator('#messages li.assistant')
      .filter({ hasText: /^ConfidantGot it/ })
      .waitFor();
    const reply = (await page.locator('#messages li.assistant').last().textContent()) ?? '';
    assert.match(reply, /vegan/);
    assert.match(reply, /medium/);

    await tab('What I know');
    await page.locator('.fact', { hasText: 'vegan' }).waitFor();
    assert.match((await page.locator('.fact', { hasText: 'vegan' }).textContent()) ?? '', /you told me/);
    await page.getByRole('button', { name: /^Delete shirt size/ }).click();
    await page.locator('.fact', { hasText: 'shirt size' }).waitFor({ state: 'detached' });
    const facts = (
      await sys.ctx.db.query(
        `SELECT kind FROM facts f JOIN persons p ON p.id = f.person_id WHERE p.email = 'ivy@example.com' ORDER BY kind`,
      )
    ).rows;
    assert.deepEqual(
      facts.map((f) => f.kind),
      ['diet'],
    );
  });

  test('ticking a box lets the shop use that part for that purpose, and the read shows in the activity', async () => {
    const shopSees = async () =>
      (
        await sys.app.inject({
          url: `/v1/people/${shopPid}/profile?purpose=recommendations`,
          headers: { authorization: bearer(shop.secretKey) },
        })
      )
        .json()
        .facts.map((f: { value: unknown }) => f.value);
    assert.deepEqual(await shopSees(), []);

    await tab('Who sees what');
    const box = page.getByLabel('Corner Shop: Diet for Suggestions');
    // Listen first: the answer can come back before the click returns.
    const granted = page.waitForResponse((r) => r.url().endsWith('/v1/me/grants') && r.request().method() === 'PUT');
    await box.check();
    await granted;
    assert.deepEqual(await shopSees(), ['vegan']);

    await tab('Activity');
    await page
      .locator('#audit li', {
        hasText: /^Corner Shop read your diet \(vegan\) (once|twice|\d+ times) today for suggestions/,
      })
      .first()
      .waitFor();

    await tab('Who sees what');
    const revoked = page.waitForResponse(
      (r) => r.url().includes('/v1/me/grants?') && r.request().method() === 'DELETE',
    );
    await page.getByLabel('Corner Shop: Diet for Suggestions').uncheck();
    await revoked;
    assert.deepEqual(await shopSees(), [], 'unticked: the next read no longer has it');
    await screenshot(page, 'shopper-grants');
  });

  test('on a 390-px phone every tab fits the screen, and every page passes axe', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, shot] of [
      ['Chat', 'shopper-chat-phone'],
      ['What I know', 'shopper-facts-phone'],
      ['Who sees what', 'shopper-grants-phone'],
      ['Activity', 'shopper-activity-phone'],
      ['My data', 'shopper-data-phone'],
    ]) {
      await tab(name);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `"${name}" is ${overflow} px wider than the phone`);
      await assertAccessible(page, `the shopper's page, ${name}`);
      await screenshot(page, shot);
    }
    const header = await page.locator('header').boundingBox();
    assert.ok(header && header.height < 844 / 8, `the header takes ${header?.height} px of 844`);
    // A shop's chat is labelled with the shop's name.
    await tab('Chat');
    await page.getByLabel('Talk to').selectOption({ label: 'Corner Shop' });
    await page.getByPlaceholder('Ask about an order, or tell me what you like').fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('#messages li.assistant .who', { hasText: 'Corner Shop' }).first().waitFor();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the export downloads everything as JSON, and deleting the Confidant signs out for good', async () => {
    await tab('My data');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download my data' }).click();
    const exported = JSON.parse(fs.readFileSync((await (await download).path())!, 'utf8'));
    assert.ok(exported.facts.some((f: { value: unknown }) => f.value === 'vegan'));
    assert.equal(exported.orders[0].items[0].name, 'Rye Bread');

    await page.getByRole('button', { name: 'Delete my Confidant' }).click();
    await page.getByText('Your Confidant is deleted').waitFor();
    assert.equal(
      (await sys.ctx.db.query(`SELECT count(*)::int AS n FROM persons WHERE email = 'ivy@example.com'`)).rows[0].n,
      0,
    );
    await page.reload();
    await page.getByRole('button', { name: 'Send me a link' }).waitFor();
  });

  test('every page sends CSP, frame and nosniff headers, and the page ran without breaking its policy', async () => {
    for (const url of ['/', '/link?code=x', '/app.js', '/v1/auth/verify?token=nope', '/health']) {
      const r = await fetch(`${base}${url}`);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline or eval scripts`);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', url);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', url);
    }
    assert.deepEqual(cspViolations, []);
  });
});
