import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFile } from '../ingest/import.js';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { recordFacts } from './facts.js';

let sys: TestSystem;
let deli: NewBrandKeys;
let other: NewBrandKeys;
before(async () => {
  sys = await testSystem();
  deli = await sys.brand('Corner Deli');
  other = await sys.brand('Other Shop');
});
after(() => sys.close());

const order = (id: string, customer: string, day: number, items: Array<[string, string]>) => ({
  order_id: id,
  customer_id: customer,
  placed_at: new Date(Date.UTC(2026, 10, day, 8)).toISOString(),
  items: items.map(([product_id, name]) => ({ product_id, name, quantity: 1, unit_price: 2 })),
});
const postOrders = async (orders: unknown[]) => {
  const r = await sys.app.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: { authorization: bearer(deli.secretKey) },
    payload: { orders },
  });
  assert.equal(r.statusCode, 200, r.body);
};
const myFacts = async (token: string) =>
  (await sys.app.inject({ url: '/v1/me/profile', headers: { authorization: bearer(token) } })).json().facts as Array<
    Record<string, unknown>
  >;

describe('habits in a brand’s orders become observed facts', () => {
  test('a product bought in three orders is a like seen at that brand; a single purchase is not; re-sending adds nothing', async () => {
    const me = await sys.shopper({
      brands: [
        { brand: deli, customerId: 'deli-1' },
        { brand: other, customerId: 'other-1' },
      ],
    });
    const orders = [
      order('D-1', 'deli-1', 1, [
        ['BAGEL', 'Plain  Bagel'],
        ['RYE', 'Rye Bread'],
      ]),
      order('D-2', 'deli-1', 2, [['BAGEL', 'Plain Bagel']]),
    ];
    await postOrders(orders);
    assert.deepEqual(
      (await myFacts(me.token)).filter((f) => f.source === 'observed'),
      [],
      'two orders are not a habit yet',
    );

    await postOrders([order('D-3', 'deli-1', 3, [['BAGEL', 'Plain Bagel']])]);
    await postOrders(orders);
    const observed = (await myFacts(me.token)).filter((f) => f.source === 'observed');
    assert.deepEqual(
      observed.map((f) => [f.kind, f.value, f.source_brand]),
      [['like', 'plain bagel', deli.slug]],
    );
    assert.ok(Number(observed[0].confidence) < 0.9, 'a habit is less sure than what was said');

    // The brand that saw it may use it to serve the person; another brand sees nothing without a grant.
    const seen = async (brand: NewBrandKeys) =>
      (
        await sys.app.inject({
          url: `/v1/people/${me.pids.get(brand.id)}/profile?purpose=service`,
          headers: { authorization: bearer(brand.secretKey) },
        })
      ).json().facts;
    assert.deepEqual(
      (await seen(deli)).map((f: { value: unknown }) => f.value),
      ['plain bagel'],
    );
    assert.deepEqual(await seen(other), []);
  });

  test('what the person said about the same thing is never overwritten by a habit', async () => {
    const me = await sys.shopper({ brands: [{ brand: deli, customerId: 'deli-2' }] });
    await recordFacts(
      sys.ctx.db,
      me.person.id,
      [{ about: 'self', kind: 'like', value: 'plain bagel', polarity: 'positive' }],
      { source: 'stated', confidence: 0.95, at: new Date() },
    );
    await postOrders([1, 2, 3].map((d) => order(`E-${d}`, 'deli-2', d, [['BAGEL', 'Plain Bagel']])));
    const bagel = (await myFacts(me.token)).filter((f) => f.value === 'plain bagel');
    assert.deepEqual(
      bagel.map((f) => [f.source, f.confidence]),
      [['stated', 0.95]],
    );
  });

  test('identify traits bring a birthday and a city, imported from the brand; the street stays with the brand', async () => {
    const me = await sys.shopper({ brands: [{ brand: deli, customerId: 'deli-3' }] });
    const r = await sys.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { authorization: basic(deli.writeKey) },
      payload: {
        userId: 'deli-3',
        traits: { birthday: '1961-06-03', address: { street: '12 Elm Street', city: 'Portland' } },
      },
    });
    assert.equal(r.statusCode, 200, r.body);
    const imported = (await myFacts(me.token)).filter((f) => f.source === 'imported');
    assert.deepEqual(imported.map((f) => [f.kind, f.value, f.source_brand]).sort(), [
      ['date', { occasion: 'birthday', month: 6, day: 3 }, deli.slug],
      ['location', 'portland', deli.slug],
    ]);
    assert.ok(!JSON.stringify(await myFacts(me.token)).includes('Elm'));
  });

  test('an imported order history is observed once, at the end of the import', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-observe-')), 'orders.csv');
    const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
    for (const [invoice, day] of [
      ['700001', 3],
      ['700002', 10],
      ['700003', 17],
    ] as const) {
      lines.push(
        `${invoice},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-03-${String(day).padStart(2, '0')} 09:00:00,2.55,17850.0,United Kingdom`,
      );
    }
    lines.push('700003,22423,REGENCY CAKESTAND 3 TIER,1,2011-03-17 09:00:00,12.75,17850.0,United Kingdom');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await importFile(sys.ctx, other.id, 'orders', file);
    const facts = await sys.ctx.db.query(
      `SELECT f.value, f.source FROM facts f JOIN brand_customers c ON c.person_id = f.person_id AND c.brand_id = f.source_brand_id
       WHERE c.brand_id = $1 AND c.external_id = '17850'`,
      [other.id],
    );
    assert.deepEqual(facts.rows, [{ value: 'white hanging heart t-light holder', source: 'observed' }]);
  });
});
