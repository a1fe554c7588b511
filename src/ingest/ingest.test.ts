import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { storeMessages } from './segment.js';
import { erasePerson } from '../gatekeeper/erase.js';
import { recordFacts } from '../profile/facts.js';
import pg from 'pg';

let sys: TestSystem;
let shop: NewBrandKeys;
let other: NewBrandKeys;
before(async () => {
  sys = await testSystem();
  shop = await sys.brand('Shop One');
  other = await sys.brand('Shop Two');
});
after(() => sys.close());

const post = (url: string, key: string, payload: unknown) =>
  sys.app.inject({
    method: 'POST',
    url,
    headers: { authorization: basic(key), 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
const eventCount = async (brandId: number) =>
  Number((await sys.ctx.db.query('SELECT count(*) FROM events WHERE brand_id = $1', [brandId])).rows[0].count);

describe('Segment-compatible tracking', () => {
  test('a repeated messageId is accepted once and reported as a duplicate', async () => {
    const msg = { userId: 'c-1', event: 'Product Viewed', messageId: 'dup-1', properties: { product_id: 'P1' } };
    assert.deepEqual((await post('/v1/track', shop.writeKey, msg)).json(), { received: 1, duplicates: 0 });
    assert.deepEqual((await post('/v1/track', shop.writeKey, msg)).json(), { received: 1, duplicates: 1 });
    const batch = await post('/v1/batch', shop.writeKey, {
      batch: [
        { type: 'track', ...msg },
        { type: 'track', ...msg, messageId: 'dup-2' },
        { type: 'track', ...msg, messageId: 'dup-2' },
      ],
    });
    assert.deepEqual(batch.json(), { received: 3, duplicates: 2 });
    const rows = await sys.ctx.db.query(
      `SELECT message_id FROM events WHERE brand_id = $1 AND message_id LIKE 'dup-%' ORDER BY 1`,
      [shop.id],
    );
    assert.deepEqual(
      rows.rows.map((r) => r.message_id),
      ['dup-1', 'dup-2'],
    );
  });

  test('identify, page and batch store committed rows for the right customer', async () => {
    assert.equal(
      (await post('/v1/identify', shop.writeKey, { userId: 'c-2', traits: { email: 'c2@example.com', plan: 'gold' } }))
        .statusCode,
      200,
    );
    assert.equal((await post('/v1/page', shop.writeKey, { anonymousId: 'anon-9', name: 'Home' })).statusCode, 200);
    const traits = await sys.ctx.db.query(
      `SELECT traits FROM brand_customers WHERE brand_id = $1 AND external_id = 'c-2'`,
      [shop.id],
    );
    assert.equal(traits.rows[0].traits.plan, 'gold');
    const anon = await sys.ctx.db.query(
      `SELECT count(*) FROM brand_customers WHERE brand_id = $1 AND external_id = 'anon:anon-9'`,
      [shop.id],
    );
    assert.equal(Number(anon.rows[0].count), 1);
  });

  test('Order Completed becomes an order with its items', async () => {
    const r = await post('/v1/track', shop.writeKey, {
      userId: 'c-3',
      event: 'Order Completed',
      properties: {
        order_id: 'O-77',
        currency: 'EUR',
        products: [{ product_id: 'P1', name: 'Blue Mug', quantity: 2, price: 5 }],
      },
    });
    assert.equal(r.statusCode, 200);
    const order = await sys.app.inject({ url: '/v1/orders/O-77', headers: { authorization: bearer(shop.secretKey) } });
    assert.equal(order.statusCode, 200);
    assert.equal(order.json().items[0].name, 'Blue Mug');
    assert.equal(order.json().total, 10);
  });

  test('a bad event in a batch is rejected with its path and nothing of the batch is stored', async () => {
    const before = await eventCount(shop.id);
    const r = await post('/v1/batch', shop.writeKey, {
      batch: [
        { type: 'track', userId: 'c-4', event: 'Product Viewed' },
        { type: 'track', event: 'Product Viewed' },
      ],
    });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().error, {
      code: 'validation_failed',
      message: 'userId or anonymousId is required',
      path: '/body/batch/1/userId',
    });
    const bad = await post('/v1/batch', shop.writeKey, {
      batch: [{ type: 'track', userId: 'x', event: 'E', timestamp: 'yesterday' }],
    });
    assert.equal(bad.json().error.path, '/body/batch/0/timestamp');
    const noEvent = await post('/v1/track', shop.writeKey, { userId: 'x' });
    assert.equal(noEvent.statusCode, 400);
    assert.equal(noEvent.json().error.path, '/body/event');
    const notJson = await post('/v1/track', shop.writeKey, '{"userId": ');
    assert.equal(notJson.statusCode, 400);
    assert.equal(await eventCount(shop.id), before);
  });

  test('size limits: 32 KB an event, 500 KB a batch, each saying which', async () => {
    const big = 'x'.repeat(33 * 1024);
    const single = await post('/v1/track', shop.writeKey, { userId: 'c', event: 'E', properties: { big } });
    assert.equal(single.statusCode, 413);
    assert.match(single.json().error.message, /event may be at most 32 KB/);
    const inBatch = await post('/v1/batch', shop.writeKey, {
      batch: [{ type: 'track', userId: 'c', event: 'E', properties: { big } }],
    });
    assert.equal(inBatch.statusCode, 413, 'one limit everywhere: an event too large is a 413, alone or in a batch');
    assert.equal(inBatch.json().error.path, '/body/batch/0');
    const batch = Array.from({ length: 20 }, () => ({
      type: 'track',
      userId: 'c',
      event: 'E',
      properties: { s: 'y'.repeat(30 * 1024) },
    }));
    const huge = await post('/v1/batch', shop.writeKey, { batch });
    assert.equal(huge.statusCode, 413);
    assert.match(huge.json().error.message, /batch may be at most 500 KB/);
  });

  test('a wrong or missing write key is 401, and a secret key is not a write key', async () => {
    assert.equal((await post('/v1/track', 'wk_nope', { userId: 'c', event: 'E' })).statusCode, 401);
    assert.equal((await post('/v1/track', shop.secretKey, { userId: 'c', event: 'E' })).statusCode, 401);
    const none = await sys.app.inject({ method: 'POST', url: '/v1/track', payload: { userId: 'c', event: 'E' } });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'unauthorized');
  });

  test("one brand's events never land on another brand's customers", async () => {
    await post('/v1/track', other.writeKey, { userId: 'c-1', event: 'Product Viewed', messageId: 'dup-1' });
    const persons = await sys.ctx.db.query(
      `SELECT brand_id, person_id FROM brand_customers WHERE external_id = 'c-1' ORDER BY brand_id`,
    );
    assert.equal(persons.rowCount, 2);
    assert.notEqual(persons.rows[0].person_id, persons.rows[1].person_id);
  });

  test('an erasure waits for a tracking batch still being written, and deletes what it committed', async () => {
    await post('/v1/track', shop.writeKey, { userId: 'c-erased', event: 'Product Viewed' });
    const personId: string = (
      await sys.ctx.db.query(`SELECT person_id FROM brand_customers WHERE brand_id = $1 AND external_id = 'c-erased'`, [
        shop.id,
      ])
    ).rows[0].person_id;
    const tx = await sys.ctx.db.connect();
    try {
      await tx.query('BEGIN');
      const late = Array.from({ length: 3 }, (_, i) => ({
        type: 'track' as const,
        userId: 'c-erased',
        event: 'Product Added',
        messageId: `late-${i}`,
      }));
      assert.equal((await storeMessages(tx, shop.id, late, new Date())).duplicates, 0);
      let erased = false;
      const erasure = erasePerson(sys.ctx, personId).then((r) => ((erased = true), r));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(erased, false, 'the erasure waits for the batch in flight');
      await tx.query('COMMIT');
      const receipt = await erasure;
      assert.equal(receipt.counts.persons, 1);
    } finally {
      tx.release();
    }
    const left = await sys.ctx.db.query('SELECT count(*)::int AS n FROM events WHERE person_id = $1', [personId]);
    assert.equal(left.rows[0].n, 0, 'no event of the erased person survives');
  });

  test('a link confirmed while a tracking batch is in flight moves what the batch committed to the person', async () => {
    await post('/v1/track', shop.writeKey, { userId: 'c-linked', event: 'Product Viewed', messageId: 'early' });
    // Both sides have changes logged (what the shop said of its customer; what the person said): the merge keeps them apart.
    await post('/v1/identify', shop.writeKey, {
      userId: 'c-linked',
      messageId: 'identify',
      traits: { birthday: '1990-06-03' },
    });
    const shopper = await sys.shopper();
    await recordFacts(
      sys.ctx.db,
      shopper.person.id,
      [{ about: 'self', kind: 'like', value: 'tea', polarity: 'positive' }],
      { source: 'stated', confidence: 1, at: new Date() },
    );
    const code = (
      await sys.app.inject({
        method: 'POST',
        url: '/v1/people/link-requests',
        headers: { authorization: bearer(shop.secretKey) },
        payload: { customer_id: 'c-linked' },
      })
    ).json().code;
    const tx = await sys.ctx.db.connect();
    try {
      await tx.query('BEGIN');
      const late = Array.from({ length: 3 }, (_, i) => ({
        type: 'track' as const,
        userId: 'c-linked',
        event: 'Product Added',
        messageId: `late-linked-${i}`, // messageIds are the brand's: not the erasure test's
      }));
      await storeMessages(tx, shop.id, late, new Date());
      let linked = false;
      const confirm = sys.app
        .inject({ method: 'POST', url: `/v1/me/links/${code}`, headers: { authorization: bearer(shopper.token) } })
        .then((r) => ((linked = true), r));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(linked, false, 'the merge waits for the batch in flight');
      await tx.query('COMMIT');
      assert.equal((await confirm).statusCode, 200);
    } finally {
      tx.release();
    }
    const mine = await sys.ctx.db.query(
      'SELECT message_id FROM events WHERE person_id = $1 AND brand_id = $2 ORDER BY 1',
      [shopper.person.id, shop.id],
    );
    assert.deepEqual(
      mine.rows.map((r) => r.message_id),
      ['early', 'identify', 'late-linked-0', 'late-linked-1', 'late-linked-2'],
    );
    const orphans = await sys.ctx.db.query(
      'SELECT count(*)::int AS n FROM events WHERE person_id NOT IN (SELECT id FROM persons)',
    );
    assert.equal(orphans.rows[0].n, 0);
  });

  test('a batch for hundreds of customers tells serving processes about every one of them', async () => {
    const listener = new pg.Client({ connectionString: sys.url });
    await listener.connect();
    const told = new Set<string>();
    listener.on('notification', (n) =>
      n
        .payload!.slice(2)
        .split(',')
        .forEach((id) => told.add(id)),
    );
    try {
      await listener.query('LISTEN confidant_activity');
      const batch = Array.from({ length: 450 }, (_, i) => ({
        type: 'track',
        userId: `crowd-${i}`,
        event: 'Product Viewed',
        properties: { product_id: 'P1' },
      }));
      assert.equal((await post('/v1/batch', shop.writeKey, { batch })).statusCode, 200);
      const people = await sys.ctx.db.query(
        `SELECT person_id FROM brand_customers WHERE brand_id = $1 AND external_id LIKE 'crowd-%'`,
        [shop.id],
      );
      for (let i = 0; i < 250 && told.size < 450; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        people.rows.filter((r) => !told.has(r.person_id)),
        [],
        'each of the 450 is named (in notifications of at most 200)',
      );
    } finally {
      await listener.end();
    }
  });
});
