/**
 * Triggers fire from data, once per person and window, through the messaging room: order shipped and delayed
 * (shipments), back in stock and price drop on a wished-for item (catalog changes), an upcoming birthday of someone the
 * person shops for (only what the person granted), an abandoned cart (events).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer } from '../testing/harness.js';
import { putGrant, stateFact } from '../gatekeeper/testing.js';
import { upsertOrders, upsertShipments } from '../orders/orders.js';
import { upsertProducts } from '../catalog/catalog.js';
import { messagingWorld, type MessagingWorld } from '../messaging/testing.js';
import { runTriggers } from './index.js';

process.env.CONFIDANT_JOBS = '0'; // runs are driven here, with the clock of the test

const START = new Date('2026-06-10T12:00:00Z');
const HOUR = 3_600_000;
let w: MessagingWorld;
before(async () => {
  w = await messagingWorld(START);
  const on = await w.sys.app.inject({
    method: 'PUT',
    url: '/v1/brand/triggers',
    headers: { authorization: bearer(w.brand.secretKey) },
    payload: {
      order_shipped: true,
      order_delayed: true,
      back_in_stock: true,
      price_drop: true,
      birthday: true,
      abandoned_cart: true,
    },
  });
  assert.equal(on.statusCode, 200, on.body);
});
after(async () => {
  w.clock.at = START;
  await w.close();
});

const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
const run = (hours = 0) => runTriggers(w.sys.ctx, at(hours), { force: true, brandId: w.brand.id });
const messagesOf = async (personId: string) =>
  (
    await w.sys.ctx.db.query(
      `SELECT m.text, m.state, m.purpose, m.kept_facts, m.removed_facts, f.trigger FROM messages m
       JOIN trigger_firings f ON f.message_id = m.message_id WHERE m.person_id = $1 ORDER BY m.created_at, f.trigger`,
      [personId],
    )
  ).rows as Array<{
    text: string | null;
    state: string;
    purpose: string;
    trigger: string;
    kept_facts: Array<{ description?: string }>;
    removed_facts: Array<{ reason?: string; ref: string }>;
  }>;
const customerOf = async (personId: string) =>
  (
    await w.sys.ctx.db.query('SELECT external_id FROM brand_customers WHERE person_id = $1 AND brand_id = $2', [
      personId,
      w.brand.id,
    ])
  ).rows[0].external_id as string;
const track = async (userId: string, event: string, properties: object, when: Date, messageId: string) => {
  const r = await w.sys.app.inject({
    method: 'POST',
    url: '/v1/track',
    headers: { authorization: basic(w.brand.writeKey) },
    payload: { userId, event, properties, timestamp: when.toISOString(), messageId },
  });
  assert.equal(r.statusCode, 200, r.body);
};

describe('triggers fire from data, once per window', () => {
  test('order shipped, then delayed: transactional, each once', async () => {
    const s = await w.shopper();
    const customer = await customerOf(s.id);
    await upsertOrders(w.sys.ctx.db, w.brand.id, [
      {
        order_id: 'T-1',
        customer_id: customer,
        placed_at: at(-48).toISOString(),
        items: [
          { product_id: 'SONIC', name: 'Philips Sonicare 6100', quantity: 1, unit_price: 129 },
          { product_id: 'CABLE', name: 'USB-C cable', quantity: 1, unit_price: 15 },
        ],
      },
    ]);
    await upsertShipments(w.sys.ctx.db, w.brand.id, [
      {
        shipment_id: 'SH-T1',
        order_id: 'T-1',
        carrier: 'UPS',
        tracking_url: 'https://www.ups.com/track?tracknum=1Z1',
        status: 'in_transit',
        shipped_at: at(-2).toISOString(),
        window_end: at(30).toISOString(),
      },
    ]);
    const first = await run();
    assert.equal(first.fired.order_shipped, 1);
    assert.equal(first.fired.order_delayed, undefined, 'not late yet');
    assert.equal((await run(1)).fired.order_shipped, undefined, 'the same shipment fires once');
    let mine = await messagesOf(s.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].purpose, 'transactional');
    assert.equal(
      mine[0].text,
      'Your Philips Sonicare 6100 and 1 more item shipped with UPS. Track it here: https://www.ups.com/track?tracknum=1Z1',
    );

    // The window ends with no delivery.
    assert.equal((await run(31)).fired.order_delayed, 1);
    assert.equal((await run(32)).fired.order_delayed, undefined);
    mine = await messagesOf(s.id);
    assert.deepEqual(
      mine.map((m) => m.trigger),
      ['order_shipped', 'order_delayed'],
    );
    assert.match(mine[1].text!, /^Sorry, your Philips Sonicare 6100 and 1 more item is running late with UPS/);
    w.clock.at = at(31);
    assert.ok((await w.deliver()) >= 2, 'delivered to the SMTP server');
    w.clock.at = START;
    assert.equal(w.mail.mails.filter((m) => m.to.includes(s.email)).length, 2);
  });

  test('back in stock and a price drop on a wished-for item, each once per change', async () => {
    const s = await w.shopper({ marketing: true });
    const other = await w.shopper({ marketing: true });
    await upsertProducts(w.sys.ctx.db, w.brand.id, [
      { id: 'HEADPHONES', name: 'Sony WH-1000XM5', price: 400, in_stock: false },
    ]);
    await track(await customerOf(s.id), 'Product Added to Wishlist', { product_id: 'HEADPHONES' }, at(-5), 'wish-1');
    assert.deepEqual((await run()).fired, {}, 'the first look only notes the price and stock');

    await upsertProducts(w.sys.ctx.db, w.brand.id, [
      { id: 'HEADPHONES', name: 'Sony WH-1000XM5', price: 400, in_stock: true },
    ]);
    assert.equal((await run(1)).fired.back_in_stock, 1);
    assert.equal((await run(2)).fired.back_in_stock, undefined, 'once');
    await upsertProducts(w.sys.ctx.db, w.brand.id, [
      { id: 'HEADPHONES', name: 'Sony WH-1000XM5', price: 399, in_stock: true },
    ]);
    assert.equal((await run(3)).fired.price_drop, undefined, 'a quarter of a percent is no drop');
    await upsertProducts(w.sys.ctx.db, w.brand.id, [
      { id: 'HEADPHONES', name: 'Sony WH-1000XM5', price: 329, in_stock: true },
    ]);
    assert.equal((await run(4)).fired.price_drop, 1);
    assert.equal((await run(5)).fired.price_drop, undefined, 'once per price');
    const mine = await messagesOf(s.id);
    assert.deepEqual(
      mine.map((m) => [m.trigger, m.text]),
      [
        ['back_in_stock', 'Sony WH-1000XM5, which you had your eye on, is back in stock.'],
        ['price_drop', 'Sony WH-1000XM5, which you had your eye on, is now $329.00 (it was $399.00).'],
      ],
    );
    assert.deepEqual(await messagesOf(other.id), [], 'nobody who did not wish for it');
  });

  test('an abandoned cart, once; a cart that was bought is left alone', async () => {
    const s = await w.shopper({ marketing: true });
    const buyer = await w.shopper({ marketing: true });
    await upsertProducts(w.sys.ctx.db, w.brand.id, [{ id: 'DOT', name: 'Echo Dot', price: 50 }]);
    await track(await customerOf(s.id), 'Product Added', { product_id: 'DOT' }, at(-3), 'cart-1');
    await track(await customerOf(buyer.id), 'Product Added', { product_id: 'DOT' }, at(-3), 'cart-2');
    await track(await customerOf(buyer.id), 'Order Completed', { order_id: 'B-1', products: [] }, at(-2), 'cart-3');
    const first = await run();
    assert.equal(first.fired.abandoned_cart, 1);
    assert.equal((await run(1)).fired.abandoned_cart, undefined);
    assert.deepEqual(
      (await messagesOf(s.id)).map((m) => m.text),
      ['You left Echo Dot in your cart. Want to pick up where you left off?'],
    );
    assert.deepEqual(await messagesOf(buyer.id), []);
    // Adding again is a new cart.
    await track(await customerOf(s.id), 'Product Added', { product_id: 'DOT' }, at(1), 'cart-4');
    assert.equal((await run(0.5)).fired.abandoned_cart, undefined, 'not idle for an hour yet');
    assert.equal((await run(3)).fired.abandoned_cart, 1);
  });

  test('an upcoming birthday: what dad loves only with the person\'s grant and never after "too creepy"', async () => {
    const birthday = { about: 'dad', kind: 'date', value: { occasion: 'birthday', month: 6, day: 24 } };
    const loves = { about: 'dad', kind: 'like', value: 'fly fishing' };
    const granted = await w.shopper({ marketing: true });
    const notGranted = await w.shopper({ marketing: true });
    const creeped = await w.shopper({ marketing: true });
    for (const s of [granted, notGranted, creeped]) {
      await stateFact(w.sys, s.token, birthday);
      await stateFact(w.sys, s.token, loves);
    }
    for (const s of [granted, creeped])
      await putGrant(w.sys, s.token, {
        brand: w.brand.slug,
        scopes: ['identity.contact', 'gifts'],
        purposes: ['marketing'],
      });
    const fishing = (
      await w.sys.ctx.db.query(`SELECT fact_id FROM facts WHERE person_id = $1 AND kind = 'like'`, [creeped.id])
    ).rows[0].fact_id;
    const tooCreepy = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/me/too-creepy',
      headers: { authorization: bearer(creeped.token) },
      payload: { brand: w.brand.slug, fact_ids: [fishing], purpose: 'recommendations' },
    });
    assert.equal(tooCreepy.statusCode, 200, tooCreepy.body);

    assert.equal((await run(-48)).fired.birthday, undefined, 'sixteen days ahead is too early');
    assert.equal((await run()).fired.birthday, 2);
    assert.equal((await run(24)).fired.birthday, undefined, 'once a year');
    const [g] = await messagesOf(granted.id);
    assert.equal(g.text, "Your dad's birthday is June 24, in two weeks, and he loves fly fishing.");
    assert.equal(g.kept_facts.length, 2);
    assert.ok(g.kept_facts.some((f) => /fly fishing/.test(f.description ?? '')));
    assert.deepEqual(await messagesOf(notGranted.id), [], 'without the gifts grant the brand sees no birthday at all');
    const [c] = await messagesOf(creeped.id);
    assert.equal(c.text, "Your dad's birthday is June 24, in two weeks.");
    assert.deepEqual(
      c.removed_facts.map((f) => [f.ref, f.reason]),
      [['fact.like:dad', 'retired']],
    );
  });
});
