/**
 * The edges of the API, as a careless or hostile client finds them: every bad input is a 4xx that says where, and
 * nothing of the request is stored; nothing is coerced or silently merged; the key is checked before anything else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { importFile } from '../ingest/import.js';
import { AppError } from '../errors.js';

let sys: TestSystem;
let shop: NewBrandKeys;
let token: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-edges-'));

before(async () => {
  sys = await testSystem();
  shop = await sys.brand();
  token = (await sys.shopper()).token;
});
after(async () => {
  await sys?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Auth = 'write' | 'secret' | 'shopper' | 'none';
const call = (method: string, url: string, auth: Auth, body?: unknown, headers: Record<string, string> = {}) =>
  sys.app.inject({
    method: method as 'POST',
    url,
    headers: {
      ...(auth === 'write' ? { authorization: basic(shop.writeKey) } : {}),
      ...(auth === 'secret' ? { authorization: bearer(shop.secretKey) } : {}),
      ...(auth === 'shopper' ? { authorization: bearer(token) } : {}),
      ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

/** Rows of everything a request could have written, to show that a refused request wrote nothing. */
async function footprint(): Promise<string> {
  const tables = ['events', 'orders', 'order_items', 'shipments', 'products', 'brand_customers', 'facts'];
  const counts = await Promise.all(
    tables.map(async (t) => `${t}=${(await sys.ctx.db.query(`SELECT count(*) FROM ${t}`)).rows[0].count}`),
  );
  return counts.join(' ');
}

/** Sends it, expects `status` with `path` in the error, and that nothing was stored. */
async function refused(
  method: string,
  url: string,
  auth: Auth,
  body: unknown,
  status: number,
  pathIs: string | RegExp,
  headers?: Record<string, string>,
) {
  const before = await footprint();
  const r = await call(method, url, auth, body, headers);
  assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
  const error = r.json().error;
  if (typeof pathIs === 'string') assert.equal(error.path, pathIs, r.body);
  else assert.match(error.path, pathIs, r.body);
  assert.doesNotMatch(r.body, /relation|column|violates|syntax error at|invalid input syntax/i, 'no PostgreSQL text');
  assert.equal(await footprint(), before, `${method} ${url} stored something`);
  return error as { code: string; message: string; path: string };
}

const order = (id: string, customer: string, extra: object = {}) => ({
  order_id: id,
  customer_id: customer,
  placed_at: '2026-01-02T10:00:00Z',
  items: [{ product_id: 'P1', quantity: 1, unit_price: 5 }],
  ...extra,
});
const NUL = 'a\u0000b';

describe('bad input is a 4xx with its path, and nothing is stored', () => {
  test('a NUL character in any stored string', async () => {
    await refused(
      'POST',
      '/v1/track',
      'write',
      { userId: 'u', event: 'E', properties: { note: NUL } },
      400,
      '/body/properties/note',
    );
    await refused('POST', '/v1/identify', 'write', { userId: 'u', traits: { [NUL]: 1 } }, 400, /^\/body\/traits\//);
    await refused('POST', '/v1/track', 'write', { userId: 'u', event: 'E', messageId: NUL }, 400, '/body/messageId');
    const batch = Array.from({ length: 100 }, (_, i) => ({
      type: 'track',
      userId: `u${i}`,
      event: i === 57 ? NUL : 'E',
    }));
    await refused('POST', '/v1/batch', 'write', { batch }, 400, '/body/batch/57/event');
    await refused(
      'PUT',
      '/v1/catalog/products',
      'secret',
      { products: [{ id: 'p', name: 'P', attributes: { color: NUL } }] },
      400,
      '/body/products/0/attributes/color',
    );
    await refused(
      'POST',
      '/v1/customers',
      'secret',
      { customers: [{ customer_id: 'c', traits: { x: NUL } }] },
      400,
      '/body/customers/0/traits/x',
    );
    await refused('POST', '/v1/me/profile/facts', 'shopper', { kind: 'like', value: NUL }, 400, '/body/value');
  });

  test('a lone surrogate in an id', async () => {
    await refused('POST', '/v1/track', 'write', { userId: 'u\ud800', event: 'E' }, 400, '/body/userId');
    await refused('POST', '/v1/orders', 'secret', { orders: [order('o\udc00', 'c')] }, 400, '/body/orders/0/order_id');
    // A pair is a character, and is kept.
    const ok = await call('POST', '/v1/track', 'write', { userId: 'u\ud83d\ude00', event: 'E' });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('timestamps PostgreSQL cannot hold: an offset beyond +-15:59, a year out of range, a day that is not', async () => {
    for (const ts of [
      '2026-01-02T10:00:00+16:00',
      '0000-01-01T00:00:00Z',
      '2026-02-30T10:00:00Z',
      '12026-01-01T00:00:00Z',
    ])
      await refused('POST', '/v1/track', 'write', { userId: 'u', event: 'E', timestamp: ts }, 400, '/body/timestamp');
    await refused(
      'POST',
      '/v1/batch',
      'write',
      { batch: [{ type: 'track', userId: 'u', event: 'E', originalTimestamp: '2026-01-02T10:00:00-23:00' }] },
      400,
      '/body/batch/0/originalTimestamp',
    );
    await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [order('o1', 'c', { placed_at: '2026-01-02T10:00:00+20:00' })] },
      400,
      '/body/orders/0/placed_at',
    );
    const made = await call('POST', '/v1/orders', 'secret', { orders: [order('o-ship', 'c')] });
    assert.equal(made.statusCode, 200, made.body);
    await refused(
      'POST',
      '/v1/shipments',
      'secret',
      { shipments: [{ shipment_id: 's', order_id: 'o-ship', carrier: 'UPS', shipped_at: '0000-12-31T00:00:00Z' }] },
      400,
      '/body/shipments/0/shipped_at',
    );
  });

  test('imports: a bad timestamp or a NUL stops the file with its line number, and nothing is stored', async () => {
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(
      file,
      'order_id,customer_id,product_id,quantity,unit_price,placed_at\n' +
        'A1,c1,P1,1,2,2026-01-02T10:00:00Z\nA2,c1,P1,1,2,2026-01-02T10:00:00+17:00\n',
    );
    const before = await footprint();
    await assert.rejects(importFile(sys.ctx, shop.id, 'orders', file), (e: AppError) => {
      assert.ok(e instanceof AppError);
      assert.match(e.path ?? '', /^line 3\b/);
      return true;
    });
    const events = path.join(dir, 'events.jsonl');
    fs.writeFileSync(
      events,
      `${JSON.stringify({ type: 'track', userId: 'u', event: 'E' })}\n${JSON.stringify({ type: 'track', userId: 'u', event: 'E', properties: { x: NUL } })}\n`,
    );
    await assert.rejects(importFile(sys.ctx, shop.id, 'events', events), (e: AppError) => {
      assert.match(e.path ?? '', /^line 2\b/);
      return true;
    });
    const stamps = path.join(dir, 'events2.jsonl');
    fs.writeFileSync(
      stamps,
      `${JSON.stringify({ type: 'track', userId: 'u', event: 'E', timestamp: '2026-01-01T00:00:00+99:00' })}\n`,
    );
    await assert.rejects(importFile(sys.ctx, shop.id, 'events', stamps), (e: AppError) => {
      assert.match(e.path ?? '', /^line 1\b.*timestamp/);
      return true;
    });
    assert.equal(await footprint(), before);
  });

  test('the same key twice in one request', async () => {
    await refused(
      'PUT',
      '/v1/catalog/products',
      'secret',
      {
        products: [
          { id: 'dup', name: 'A' },
          { id: 'dup', name: 'B' },
        ],
      },
      400,
      '/body/products/1/id',
    );
    await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [order('d1', 'c'), order('d1', 'c')] },
      400,
      '/body/orders/1/order_id',
    );
    await refused(
      'POST',
      '/v1/customers',
      'secret',
      { customers: [{ customer_id: 'k' }, { customer_id: 'k' }] },
      400,
      '/body/customers/1/customer_id',
    );
    await call('POST', '/v1/orders', 'secret', { orders: [order('for-ship', 'c')] });
    const s = { shipment_id: 's-dup', order_id: 'for-ship', carrier: 'UPS' };
    await refused('POST', '/v1/shipments', 'secret', { shipments: [s, s] }, 400, '/body/shipments/1/shipment_id');
  });

  test('JSON nested deeply enough to overflow a stack, under the size limit', async () => {
    const deep = `{"userId":"u","event":"E","properties":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    assert.ok(deep.length < 32 * 1024);
    await refused('POST', '/v1/track', 'write', deep, 400, '/body', { 'content-type': 'application/json' });
    const arrays = `{"products":${'['.repeat(20000)}${']'.repeat(20000)}}`;
    await refused('PUT', '/v1/catalog/products', 'secret', arrays, 400, '/body', {
      'content-type': 'application/json',
    });
  });
});

describe('nothing is coerced or silently merged', () => {
  test('a string is not a number, a boolean is not a number or a string', async () => {
    const item = (x: object) => order('co1', 'c', { items: [{ product_id: 'P1', quantity: 1, unit_price: 5, ...x }] });
    await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [item({ quantity: '3' })] },
      400,
      '/body/orders/0/items/0/quantity',
    );
    await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [item({ unit_price: true })] },
      400,
      '/body/orders/0/items/0/unit_price',
    );
    await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [order('co2', false as never)] },
      400,
      '/body/orders/0/customer_id',
    );
    await refused('POST', '/v1/track', 'write', { userId: 'u', event: false }, 400, '/body/event');
    // Query strings are text by nature: a number in one is read as the number.
    const listed = await call('GET', '/v1/catalog/products?limit=2', 'secret');
    assert.equal(listed.statusCode, 200);
  });

  test('numeric userIds are kept exactly as their decimal text, other numbers refused', async () => {
    const r = await call(
      'POST',
      '/v1/track',
      'write',
      '{"userId": 12345678901234567890, "event": "E", "messageId": "num-1"}',
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(r.statusCode, 200, r.body);
    const near = await call(
      'POST',
      '/v1/track',
      'write',
      '{"userId": 12345678901234567891, "event": "E", "messageId": "num-2"}',
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(near.statusCode, 200);
    const ids = await sys.ctx.db.query(
      `SELECT bc.external_id FROM events e JOIN brand_customers bc ON bc.brand_id = e.brand_id AND bc.person_id = e.person_id
       WHERE e.brand_id = $1 AND e.message_id IN ('num-1', 'num-2') ORDER BY e.message_id`,
      [shop.id],
    );
    assert.deepEqual(
      ids.rows.map((x) => x.external_id),
      ['12345678901234567890', '12345678901234567891'],
      'two customers, each under its exact id',
    );
    for (const n of ['1e999', '-0', '1.5', '1e3'])
      await refused('POST', '/v1/track', 'write', `{"userId": ${n}, "event": "E"}`, 400, '/body/userId', {
        'content-type': 'application/json',
      });
    await refused(
      'POST',
      '/v1/batch',
      'write',
      `{"batch": [{"type": "track", "userId": 1e999, "event": "E"}]}`,
      400,
      '/body/batch/0/userId',
      {
        'content-type': 'application/json',
      },
    );
    // A "userId" inside properties is not ours to change.
    const inside = await call(
      'POST',
      '/v1/track',
      'write',
      '{"userId": "u", "event": "E", "messageId": "num-3", "properties": {"userId": 7}}',
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(inside.statusCode, 200);
    const props = await sys.ctx.db.query(`SELECT properties FROM events WHERE brand_id = $1 AND message_id = 'num-3'`, [
      shop.id,
    ]);
    assert.deepEqual(props.rows[0].properties, { userId: 7 });
  });
});

describe('the key comes first', () => {
  test('no key is a 401, never a 400, 413 or 415 first', async () => {
    const big = JSON.stringify({ products: [{ id: 'x', name: 'x'.repeat(600 * 1024) }] });
    for (const [method, url, body, headers] of [
      ['PUT', '/v1/catalog/products', big, { 'content-type': 'application/json' }],
      ['PUT', '/v1/catalog/products', '{"products": 1}', { 'content-type': 'application/json' }],
      ['PUT', '/v1/catalog/products', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['POST', '/v1/track', JSON.stringify({ event: 'x'.repeat(40_000) }), { 'content-type': 'application/json' }],
      ['POST', '/v1/track', '{"event": 1}', { 'content-type': 'application/json' }],
      ['POST', '/v1/track', 'not json', { 'content-type': 'text/plain' }],
      ['POST', '/v1/me/profile/facts', '{}', { 'content-type': 'application/json' }],
      ['GET', '/v1/orders/x'.padEnd(400, 'x'), undefined, {}],
    ] as const) {
      const r = await call(method, url, 'none', body, headers);
      assert.equal(r.statusCode, 401, `${method} ${url.slice(0, 40)}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      assert.doesNotMatch(r.body, /must|schema|KB/);
    }
  });

  test('a wrong method is a 405 with Allow; a path that cannot name anything is a 404', async () => {
    const r = await call('DELETE', '/v1/track', 'write');
    assert.equal(r.statusCode, 405);
    assert.equal(r.headers.allow, 'POST');
    assert.equal(r.json().error.code, 'method_not_allowed');
    const facts = await call('PUT', '/v1/me/profile/facts/6a0e2f4e-3a59-4f8e-a1b5-0d7c27f1e0aa', 'shopper', {});
    assert.equal(facts.statusCode, 405);
    assert.equal(facts.headers.allow, 'DELETE, PATCH');
    const bad = await call('DELETE', '/v1/me/profile/facts/not-a-uuid', 'shopper');
    assert.equal(bad.statusCode, 404, bad.body);
    const handoff = await call('POST', `/v1/handoffs/${'-'.repeat(36)}/reply`, 'secret', { text: 'hi' });
    assert.equal(handoff.statusCode, 404, handoff.body);
    const long = await call('GET', `/v1/orders/${'x'.repeat(201)}`, 'secret');
    assert.equal(long.statusCode, 404);
    assert.equal((await call('GET', '/v1/nothing-here', 'none')).statusCode, 404);
  });

  test('catalog search takes % and _ as themselves', async () => {
    const put = await call('PUT', '/v1/catalog/products', 'secret', {
      products: [
        { id: 'pct', name: '100% cotton' },
        { id: 'plain', name: 'Plain shirt' },
        { id: 'under', name: 'snake_case mug' },
      ],
    });
    assert.equal(put.statusCode, 200, put.body);
    const names = async (q: string) =>
      (await call('GET', `/v1/catalog/products?q=${encodeURIComponent(q)}`, 'secret'))
        .json()
        .products.map((p: { id: string }) => p.id);
    assert.deepEqual(await names('%'), ['pct']);
    assert.deepEqual(await names('_'), ['under']);
    assert.deepEqual(await names('\\'), []);
  });
});

describe('nothing is merged, lost or guessed', () => {
  test('an order id is unique per brand: sent again for another customer it is a 409 saying so', async () => {
    const first = await call('POST', '/v1/orders', 'secret', { orders: [order('uniq-1', 'cust-a')] });
    assert.equal(first.statusCode, 200, first.body);
    const again = await call('POST', '/v1/orders', 'secret', {
      orders: [order('uniq-1', 'cust-a', { status: 'shipped' })],
    });
    assert.equal(again.statusCode, 200, 'the same customer may send it again (an update)');
    const error = await refused(
      'POST',
      '/v1/orders',
      'secret',
      { orders: [order('uniq-1', 'cust-b')] },
      409,
      '/body/orders/0/customer_id',
    );
    assert.match(error.message, /another customer's.*unique per brand/);
    const other = await sys.brand();
    const elsewhere = await sys.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { authorization: bearer(other.secretKey) },
      payload: { orders: [order('uniq-1', 'cust-b')] },
    });
    assert.equal(elsewhere.statusCode, 200, 'another brand has its own order ids');
    // Two writers of one new order id for two customers at once: one order, one 409.
    const both = await Promise.all(
      ['cust-c', 'cust-d'].map((c) => call('POST', '/v1/orders', 'secret', { orders: [order('race-1', c)] })),
    );
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
    const rows = await sys.ctx.db.query(
      `SELECT count(*)::int AS n FROM orders WHERE brand_id = $1 AND order_id = 'race-1'`,
      [shop.id],
    );
    assert.equal(rows.rows[0].n, 1);
  });

  test('a messageId is the brand’s: sent again for another user it is a duplicate, not a second event', async () => {
    const a = await call('POST', '/v1/track', 'write', { userId: 'mid-a', event: 'E', messageId: 'shared-mid' });
    assert.deepEqual(a.json(), { received: 1, duplicates: 0 });
    const b = await call('POST', '/v1/track', 'write', { anonymousId: 'mid-b', event: 'E', messageId: 'shared-mid' });
    assert.deepEqual(b.json(), { received: 1, duplicates: 1 });
    const batch = await call('POST', '/v1/batch', 'write', {
      batch: [
        { type: 'track', userId: 'mid-c', event: 'E', messageId: 'in-batch' },
        { type: 'track', userId: 'mid-d', event: 'E', messageId: 'in-batch' },
      ],
    });
    assert.deepEqual(batch.json(), { received: 2, duplicates: 1 });
    const n = await sys.ctx.db.query(
      `SELECT count(*)::int AS n FROM events WHERE brand_id = $1 AND message_id IN ('shared-mid', 'in-batch')`,
      [shop.id],
    );
    assert.equal(n.rows[0].n, 2);
  });

  test('Order Completed with a negative quantity or a price that is not a number is refused, not guessed', async () => {
    const completed = (product: object) => ({
      userId: 'oc-1',
      event: 'Order Completed',
      properties: { order_id: 'oc-order', products: [{ product_id: 'P1', quantity: 1, price: 2 }, product] },
    });
    await refused(
      'POST',
      '/v1/track',
      'write',
      completed({ product_id: 'P2', quantity: -3 }),
      400,
      '/body/properties/products/1/quantity',
    );
    await refused(
      'POST',
      '/v1/track',
      'write',
      completed({ product_id: 'P2', price: 'NaN' }),
      400,
      '/body/properties/products/1/price',
    );
    await refused(
      'POST',
      '/v1/batch',
      'write',
      { batch: [{ type: 'track', ...completed({ product_id: 'P2', quantity: 2.5 }) }] },
      400,
      '/body/batch/0/properties/products/1/quantity',
    );
    const ok = await call('POST', '/v1/track', 'write', completed({ product_id: 'P2', quantity: 3, price: 4.5 }));
    assert.equal(ok.statusCode, 200, ok.body);
    const items = await sys.ctx.db.query(
      `SELECT product_id, quantity, unit_price::float AS price FROM order_items WHERE brand_id = $1 AND order_id = 'oc-order' ORDER BY line_no`,
      [shop.id],
    );
    assert.deepEqual(items.rows, [
      { product_id: 'P1', quantity: 1, price: 2 },
      { product_id: 'P2', quantity: 3, price: 4.5 },
    ]);
  });

  test('an order for an erased customer says it was not stored, and why', async () => {
    const gone = await sys.shopper({ brands: [{ brand: shop, customerId: 'gone-1' }] });
    const erased = await call('DELETE', '/v1/me', 'none', undefined, { authorization: bearer(gone.token) });
    assert.equal(erased.statusCode, 200, erased.body);
    const r = await call('POST', '/v1/orders', 'secret', {
      orders: [order('kept-1', 'still-here'), order('gone-order', 'gone-1')],
    });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.stored, 1);
    assert.equal(body.skipped.length, 1);
    assert.equal(body.skipped[0].path, '/body/orders/1');
    assert.match(body.skipped[0].reason, /erased/);
  });
});
