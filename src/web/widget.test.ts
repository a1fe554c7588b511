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
import { chatWorld, type ChatWorld } from '../conversation/chat-fixtures.js';
import { bearer } from '../testing/harness.js';
import { assertAccessible, launch, screenshot } from './browser-testing.js';

let world: ChatWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

before(async () => {
  world = await chatWorld();
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

  test('asking for a person shows the handoff, and the operator’s answer appears in the widget', async () => {
    await ask('I want to talk to a person');
    await chat().getByText('A person from Volt will answer here.').waitFor();
    const open = await world.sys.app.inject({
      url: '/v1/handoffs',
      headers: { authorization: bearer(world.volt.secretKey) },
    });
    const [handoff] = open.json().handoffs;
    const answered = await world.sys.app.inject({
      method: 'POST',
      url: `/v1/handoffs/${handoff.id}/reply`,
      headers: { authorization: bearer(world.volt.secretKey) },
      payload: { text: 'Hi Karen, Dana from Volt here: your Sonicare is on the truck.' },
    });
    assert.equal(answered.statusCode, 200);
    await chat().locator('li.operator', { hasText: 'Dana from Volt' }).waitFor({ timeout: 15000 });
    assert.match((await chat().locator('li.operator .who').last().textContent()) ?? '', /A person from Volt/);
    await assertAccessible(page, 'the demo shop with the chat open (Karen)');
    await screenshot(page, 'demo-volt-handoff', false);
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
