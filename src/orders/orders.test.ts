import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';

let sys: TestSystem;
let a: NewBrandKeys;
let b: NewBrandKeys;
before(async () => {
  sys = await testSystem();
  a = await sys.brand('Brand A');
  b = await sys.brand('Brand B');
});
after(() => sys.close());

const call = (method: 'GET' | 'POST' | 'PUT', url: string, key: string, payload?: unknown) =>
  sys.app.inject({
    method,
    url,
    headers: { authorization: bearer(key) },
    ...(payload ? { payload: payload as object } : {}),
  });

const order = {
  order_id: 'A-1',
  customer_id: 'cust-1',
  placed_at: '2026-11-20T10:00:00Z',
  items: [{ product_id: 'SKU1', name: 'Linen Apron', quantity: 1, unit_price: 20 }],
};

describe('catalog, orders and shipments APIs', () => {
  test('orders, shipments and products are stored and read back by their brand', async () => {
    assert.equal(
      (
        await call('PUT', '/v1/catalog/products', a.secretKey, {
          products: [{ id: 'SKU1', name: 'Linen Apron', price: 20, complements: ['SKU2'] }],
        })
      ).statusCode,
      200,
    );
    assert.deepEqual((await call('POST', '/v1/orders', a.secretKey, { orders: [order] })).json(), { stored: 1 });
    const ship = await call('POST', '/v1/shipments', a.secretKey, {
      shipments: [
        {
          shipment_id: 'S-1',
          order_id: 'A-1',
          carrier: 'UPS',
          service: 'UPS Ground',
          window_end: '2026-11-26T19:00:00Z',
        },
      ],
    });
    assert.equal(ship.statusCode, 200);
    const got = (await call('GET', '/v1/orders/A-1', a.secretKey)).json();
    assert.equal(got.status, 'shipped');
    assert.equal(got.customerId, 'cust-1');
    assert.equal(got.shipments[0].carrier, 'UPS');
    assert.equal(got.shipments[0].windowEnd, '2026-11-26T19:00:00.000Z');
    const product = (await call('GET', '/v1/catalog/products/SKU1', a.secretKey)).json();
    assert.deepEqual(product.complements, ['SKU2']);
  });

  test('an order sent again is stored whole: its lines are the new ones, not old and new together', async () => {
    const two = {
      ...order,
      order_id: 'A-7',
      items: [...order.items, { product_id: 'SKU2', name: 'Tea Towel', quantity: 2, unit_price: 5 }],
    };
    assert.equal((await call('POST', '/v1/orders', a.secretKey, { orders: [two] })).statusCode, 200);
    assert.equal((await call('GET', '/v1/orders/A-7', a.secretKey)).json().items.length, 2);
    const one = { ...two, items: [{ product_id: 'SKU3', name: 'Bread Bin', quantity: 1, unit_price: 30 }] };
    assert.equal((await call('POST', '/v1/orders', a.secretKey, { orders: [one] })).statusCode, 200);
    const got = (await call('GET', '/v1/orders/A-7', a.secretKey)).json();
    assert.deepEqual(
      got.items.map((i: { productId: string }) => i.productId),
      ['SKU3'],
    );
  });

  test('the same order sent several times at once: every call succeeds and the order is one of them, whole', async () => {
    const version = (n: number) => ({
      ...order,
      order_id: 'A-8',
      items: Array.from({ length: n }, (_, i) => ({
        product_id: `SKU${i + 1}`,
        name: `Thing ${i + 1}`,
        quantity: 1,
        unit_price: 1,
      })),
    });
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 1, 2, 3].map((n) => call('POST', '/v1/orders', a.secretKey, { orders: [version(n)] })),
    );
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [200, 200, 200, 200, 200, 200, 200, 200],
    );
    const items = (await call('GET', '/v1/orders/A-8', a.secretKey))
      .json()
      .items.map((i: { productId: string }) => i.productId);
    assert.deepEqual(
      items,
      version(items.length).items.map((i) => i.product_id),
    );
  });

  test("another brand's order or product is not found, and the wrong key is 401", async () => {
    assert.equal((await call('GET', '/v1/orders/A-1', b.secretKey)).statusCode, 404);
    assert.equal((await call('GET', '/v1/catalog/products/SKU1', b.secretKey)).statusCode, 404);
    assert.equal((await call('GET', '/v1/orders/A-1', 'sk_wrong')).statusCode, 401);
    assert.equal((await call('GET', '/v1/orders/A-1', a.writeKey)).statusCode, 401);
    const ship = await call('POST', '/v1/shipments', b.secretKey, {
      shipments: [{ shipment_id: 'S-9', order_id: 'A-1', carrier: 'UPS' }],
    });
    assert.equal(ship.statusCode, 422, 'well-formed, but there is no such order for this brand');
    assert.equal(ship.json().error.path, '/body/shipments/0/order_id');
  });

  test('validation errors name the field, and nothing of a bad request is written', async () => {
    const r = await call('POST', '/v1/orders', a.secretKey, {
      orders: [
        { ...order, order_id: 'A-2' },
        { ...order, order_id: 'A-3', placed_at: 'last week' },
      ],
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, 'validation_failed');
    assert.equal(r.json().error.path, '/body/orders/1/placed_at');
    const missing = await call('POST', '/v1/orders', a.secretKey, {
      orders: [{ order_id: 'A-4', placed_at: '2026-11-20T10:00:00Z', items: [] }],
    });
    assert.equal(missing.json().error.path, '/body/orders/0/customer_id');
    const status = await call('POST', '/v1/orders', a.secretKey, {
      orders: [{ ...order, order_id: 'A-5', status: 'lost' }],
    });
    assert.match(status.json().error.message, /must be one of: placed, shipped/);
    assert.equal((await call('GET', '/v1/orders/A-2', a.secretKey)).statusCode, 404);
    const query = await call('GET', '/v1/catalog/products?limit=9999', a.secretKey);
    assert.equal(query.statusCode, 400);
    assert.equal(query.json().error.path, '/querystring/limit');
  });

  test('health, unknown routes and the OpenAPI document', async () => {
    assert.deepEqual((await sys.app.inject({ url: '/health' })).json(), { status: 'ok', database: 'embedded' });
    const nope = await sys.app.inject({ url: '/v1/nowhere' });
    assert.equal(nope.statusCode, 404);
    assert.equal(nope.json().error.code, 'not_found');
    const doc = (await sys.app.inject({ url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/v1/track',
      '/v1/batch',
      '/v1/identify',
      '/v1/page',
      '/v1/orders',
      '/v1/orders/{orderId}',
      '/v1/catalog/products',
      '/v1/shipments',
      '/v1/customers',
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
  });
});
