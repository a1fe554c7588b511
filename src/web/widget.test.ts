/**
 * The shop's chat in a real browser, on the demo shop `/demo/volt` exactly as a shop embeds it: an anonymous
 * visitor gets product answers and suggestions that go with what they looked at; Karen, signed in at the shop
 * (vouched for by the shop's server), asks about her order, finds a suggestion too creepy, answers the consent
 * the shop asks for, and asks for a person whose answer then shows in the widget; a customer who never linked is
 * offered the link.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chatWorld, NOW, type ChatWorld } from '../conversation/chat-fixtures.js';
import { grant } from '../gatekeeper/view.js';
import { bearer } from '../testing/harness.js';
import { assertAccessible, launch, screenshot } from './browser-testing.js';

let world: ChatWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

before(async () => {
  world = await chatWorld();
  // Karen lets Volt count her in its statistics (the console's conversation figures count only such people).
  await grant(world.sys.ctx.db, {
    personId: world.karen.id,
    brandId: world.volt.id,
    scopes: ['identity.name'],
    purposes: ['analytics'],
    how: 'page',
    explicit: true,
    at: NOW,
  });
  base = await world.sys.app.listen({ port: 0, host: '127.0.0.1' });
  world.sys.ctx.publicUrl = base;
  browser = await launch();
  context = await browser.newContext();
  page = await context.newPage();
  await page.addInitScript(() => {
    let loaded = false;
    window.addEventListener('load', () => (loaded = true));
    window.addEventListener('confidant:ready', (e) => {
      (window as unknown as { readyDetail: unknown }).readyDetail = {
        ...(e as CustomEvent).detail,
        afterLoad: loaded,
      };
    });
  });
});

after(async () => {
  await browser?.close();
  await world?.sys.close();
});

const chat = () => page.locator('#confidant-chat');
const lastReply = () => chat().locator('li.assistant').last();

async function openShop(query = '') {
  await page.goto(`${base}/demo/volt${query}`);
  await page.getByRole('button', { name: 'Chat with Volt' }).waitFor();
}

async function ask(text: string) {
  const before = await chat().locator('li.assistant').count();
  const box = page.getByRole('textbox', { name: 'Ask about a product or your order' });
  await box.fill(text);
  await chat().getByRole('button', { name: 'Send' }).click();
  await chat().locator('li.assistant').nth(before).waitFor();
  return (await lastReply().locator('p').textContent()) ?? '';
}

describe('the chat a shop embeds', () => {
  test('the demo shop lists the catalog with its names and prices, and the widget loads after the page', async () => {
    await openShop();
    await page.getByRole('heading', { name: 'Philips Sonicare ProtectiveClean 6100 Electric Toothbrush' }).waitFor();
    assert.match((await page.locator('#p-VOLT-SONICARE-6100 .price').textContent()) ?? '', /\$129\.99/);
    // `confidant:ready` fired on window, after the page's load event, with the brand and the visitor's status.
    const ready = await page.waitForFunction(() => (window as unknown as { readyDetail?: unknown }).readyDetail);
    assert.deepEqual(await ready.jsonValue(), {
      brand: { slug: 'volt', name: 'Volt' },
      status: 'anonymous',
      afterLoad: true,
    });
  });

  test('an anonymous visitor asks about products and gets suggestions that go with what they looked at', async () => {
    await openShop();
    await page
      .getByRole('button', { name: 'Look at Philips Sonicare ProtectiveClean 6100 Electric Toothbrush' })
      .click();
    await page.getByRole('button', { name: 'Chat with Volt' }).click();
    const found = await ask('Do you have noise canceling headphones?');
    assert.match(found, /^Volt has .*Headphones/);
    const ideas = await ask('Any ideas?');
    assert.match(ideas, /^To go with what you looked at, try .*(brush heads|Travel Charger|Wall Mount)/i);
    // The suggestions are links to the products; opening one is counted for the brand (no person).
    const link = lastReply().locator('.products a').first();
    assert.match((await link.getAttribute('href')) ?? '', /^\/demo\/volt#p-VOLT-/);
    await link.click();
    await page.waitForFunction(() => location.hash.startsWith('#p-VOLT-'));
    const counted = async () =>
      (
        await world.sys.ctx.db.query(`SELECT kind, n::int FROM widget_counters WHERE brand_id = $1 ORDER BY kind`, [
          world.volt.id,
        ])
      ).rows;
    for (let i = 0; i < 50 && (await counted()).length < 2; i++) await page.waitForTimeout(100);
    const rows = await counted();
    assert.equal(rows.find((r) => r.kind === 'recommendation_clicked')?.n, 1);
    assert.ok(rows.find((r) => r.kind === 'recommendation_shown')?.n >= 3);
    // Quick replies are the reply's actions.
    assert.ok((await chat().locator('.actions button').count()) > 0);
    const mine = await ask('When will my order arrive?');
    assert.match(mine, /Sign in at Volt/);
    await assertAccessible(page, 'the demo shop with the chat open (anonymous)');
    await screenshot(page, 'demo-volt-anonymous', false);
  });

  test("Karen, signed in at the shop, asks when her order arrives and gets her own conversation's answer", async () => {
    await openShop('?customer=volt-karen');
    await page.getByRole('button', { name: 'Chat with Volt' }).click();
    const reply = await ask('When will my order arrive?');
    assert.match(reply, /Philips Sonicare/);
    assert.match(reply, /3 more items/);
    assert.match(reply, /tomorrow/i);
    const stored = await world.sys.ctx.db.query(
      `SELECT count(*)::int AS n FROM conversation_messages WHERE person_id = $1 AND brand_id = $2`,
      [world.karen.id, world.volt.id],
    );
    assert.equal(stored.rows[0].n, 2, 'the turn is in her own conversation with Volt');
    await screenshot(page, 'demo-volt-karen', false);
  });

  test('"Too creepy" on a reply that used a fact retires that use of the fact', async () => {
    await ask('I love headphones');
    const ideas = await ask('any ideas for me?');
    assert.match(ideas, /Headphones/);
    assert.equal(await chat().locator('li.assistant').filter({ hasText: 'Got it' }).getByRole('button').count(), 0);
    await lastReply().getByRole('button', { name: 'Too creepy' }).click();
    await chat().locator('li.assistant', { hasText: "won't use" }).waitFor();
    const fact = await world.sys.ctx.db.query(
      `SELECT retired_uses FROM facts WHERE person_id = $1 AND kind = 'like' AND value = '"headphones"'`,
      [world.karen.id],
    );
    assert.deepEqual(fact.rows[0].retired_uses, ['recommendations']);
  });

  test('the consent the shop asks for is given in the widget, and only by the customer', async () => {
    await page.getByRole('button', { name: 'Let us use your sizes in our offers' }).click();
    await chat().getByText('Volt asks to use your sizes for offers.').waitFor();
    const granted = page.waitForResponse((r) => r.url().endsWith('/consent') && r.status() === 200);
    await chat().getByRole('button', { name: 'Allow' }).click();
    await granted;
    const g = await world.sys.ctx.db.query(
      `SELECT how, explicit FROM grants WHERE person_id = $1 AND brand_id = $2 AND scope = 'profile.sizes' AND purpose = 'marketing' AND revoked_at IS NULL`,
      [world.karen.id, world.volt.id],
    );
    assert.deepEqual(g.rows, [{ how: 'widget', explicit: true }]);
  });

  test('the console shows the figures as plots, and an operator answers the handoff the shopper then sees', async () => {
    await ask('I want to talk to a person');
    await chat().getByText('A person from Volt will answer here.').waitFor();

    const desk = await (await browser.newContext()).newPage();
    await desk.goto(`${base}/console`);
    await desk.getByLabel('Secret key').fill(world.volt.secretKey);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByRole('heading', { name: /Volt console/ }).waitFor();
    assert.ok(!desk.url().includes('sk_'), 'the key is never in a URL');
    const cookie = (await desk.context().cookies()).find((c) => c.name === 'confidant_console');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');

    // At least four plots drawn by uPlot, each with data.
    await desk.locator('figure canvas').first().waitFor();
    const plots = await desk.locator('figure').evaluateAll((figs) =>
      figs.map((f) => ({
        id: f.id,
        points: Number(f.getAttribute('data-points')),
        drawn: f.querySelector('.uplot canvas') !== null,
      })),
    );
    const withData = plots.filter((p) => p.points > 0 && p.drawn).map((p) => p.id);
    assert.ok(withData.length >= 4, `plots with data: ${JSON.stringify(plots)}`);
    for (const id of ['plot-conversations', 'plot-intents', 'plot-grants', 'plot-handoffs', 'plot-recommendations'])
      assert.ok(withData.includes(id), `${id} has data`);

    // The inbox shows the conversation that led to the request; the operator answers as a person.
    const item = desk.locator('.handoff', { hasText: 'volt-karen' });
    await item.getByText('When will my order arrive?').waitFor();
    await assertAccessible(desk, 'the console');
    await screenshot(desk, 'console');
    await item
      .getByLabel('Your answer, as a person')
      .fill('Hi Karen, Dana from Volt here: your Sonicare is on the truck.');
    await item.getByRole('button', { name: 'Send and mark done' }).click();
    await desk.getByText('Nobody is waiting for a person.').waitFor();
    await screenshot(desk, 'console-answered');
    await desk.context().close();

    await chat().locator('li.operator', { hasText: 'Dana from Volt' }).waitFor({ timeout: 15000 });
    assert.match((await chat().locator('li.operator .who').last().textContent()) ?? '', /A person from Volt/);
    await assertAccessible(page, 'the demo shop with the chat open (Karen)');
    await screenshot(page, 'demo-volt-handoff', false);
  });

  test('the console refuses a wrong key, and its API needs its own sign-in', async () => {
    const r = await world.sys.app.inject({
      method: 'POST',
      url: '/console/api/session',
      payload: { secret_key: 'sk_wrong-wrong-wrong' },
    });
    assert.equal(r.statusCode, 401);
    const figures = await world.sys.app.inject({ url: '/console/api/figures' });
    assert.equal(figures.statusCode, 401);
    const withShopKey = await world.sys.app.inject({
      url: '/console/api/handoffs',
      headers: { authorization: bearer(world.volt.secretKey) },
    });
    assert.equal(withShopKey.statusCode, 401, 'the console API takes only the console session');
  });

  test('a customer who has not linked a Confidant is offered the link, which opens on Confidant', async () => {
    await openShop('?customer=volt-newcomer');
    await page.getByRole('button', { name: 'Chat with Volt' }).click();
    await chat().getByText('Link your Confidant to Volt to talk about your own orders.').waitFor();
    const popup = page.waitForEvent('popup');
    await chat().getByRole('button', { name: 'Link my Confidant' }).click();
    const linkPage = await popup;
    assert.match(linkPage.url(), new RegExp(`^${base}/link\\?code=lnk_`));
    await linkPage.close();
  });
});
