import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { type ProductInput, upsertProducts } from '../catalog/catalog.js';
import { grant, viewFor } from '../gatekeeper/index.js';
import { recordFacts, type NewFact } from '../profile/facts.js';
import { trainBrandModel } from './training.js';
import { storeFor } from './store.js';
import { recommend, type RecContext } from './recommend.js';
import { rng } from './model/score.js';
import { buildApp } from '../server/app.js';
import { BACKGROUND, startBackground } from '../server/background.js';
import { createPool } from '../db/pool.js';

let sys: TestSystem;
const data = (f: string): ProductInput[] =>
  JSON.parse(fs.readFileSync(new URL(`../demo/data/${f}`, import.meta.url), 'utf8'));
const volt = data('volt.json');
const deli = data('corner-deli.json');
const byId = new Map([...volt, ...deli].map((p) => [p.id, p]));

let voltBrand: NewBrandKeys;
let deliBrand: NewBrandKeys;
let other: NewBrandKeys;
let karen: Awaited<ReturnType<TestSystem['shopper']>>;
let sam: Awaited<ReturnType<TestSystem['shopper']>>;
let newcomer: Awaited<ReturnType<TestSystem['shopper']>>;

const get = (url: string, key: string) =>
  sys.app.inject({ method: 'GET', url, headers: { authorization: bearer(key) } });
const post = (url: string, auth: string, payload: object) =>
  sys.app.inject({ method: 'POST', url, headers: { authorization: auth }, payload });
const everyday = ['profile.diet', 'profile.likes', 'gifts', 'profile.allergies', 'profile.budget'];
/** The person grants each scope on its own, so the special categories among them (health) are explicit. */
const letSee = async (personId: string, brandId: number) => {
  for (const scope of everyday)
    await grant(sys.ctx.db, {
      personId,
      brandId,
      scopes: [scope],
      purposes: ['recommendations'],
      how: 'api',
      explicit: true,
      at: new Date(),
    });
};
const say = (personId: string, facts: NewFact[]) =>
  recordFacts(sys.ctx.db, personId, facts, { source: 'stated', confidence: 1, at: new Date() });

/** Orders of made-up customers: each basket a list of product ids. */
async function orders(brand: NewBrandKeys, baskets: Array<{ customer: string; items: string[]; daysAgo?: number }>) {
  const r = await post('/v1/orders', bearer(brand.secretKey), {
    orders: baskets.map((b, n) => ({
      order_id: `O-${brand.id}-${n}-${b.customer}`,
      customer_id: b.customer,
      placed_at: new Date(Date.now() - (b.daysAgo ?? 10) * 86_400_000).toISOString(),
      status: 'delivered',
      items: b.items.map((id) => ({
        product_id: id,
        name: byId.get(id)?.name ?? id,
        quantity: 1,
        unit_price: byId.get(id)?.price ?? 1,
      })),
    })),
  });
  assert.equal(r.statusCode, 200, r.body);
}

async function train(brandId: number) {
  const v = await trainBrandModel(sys.ctx.db, brandId);
  await storeFor(sys.ctx).refresh();
  return v;
}

before(async () => {
  sys = await testSystem();
  [voltBrand, deliBrand, other] = [
    await sys.brand('Volt'),
    await sys.brand('Corner Deli'),
    await sys.brand('Elsewhere'),
  ];
  await upsertProducts(sys.ctx.db, voltBrand.id, volt);
  await upsertProducts(sys.ctx.db, deliBrand.id, deli);
  karen = await sys.shopper({
    name: 'Karen',
    brands: [
      { brand: voltBrand, customerId: 'volt-karen' },
      { brand: deliBrand, customerId: 'deli-karen' },
    ],
  });
  sam = await sys.shopper({ name: 'Sam', brands: [{ brand: deliBrand, customerId: 'deli-sam' }] });
  newcomer = await sys.shopper({
    name: 'New',
    brands: [
      { brand: voltBrand, customerId: 'volt-new' },
      { brand: deliBrand, customerId: 'deli-new' },
    ],
  });
  for (const p of [karen, sam, newcomer]) for (const b of [voltBrand, deliBrand]) await letSee(p.person.id, b.id);
  // Volt: toothbrush buyers also take the travel charger; phones go with cables.
  const v: Array<{ customer: string; items: string[] }> = [];
  for (let c = 0; c < 12; c++)
    v.push({
      customer: `v${c}`,
      items: ['VOLT-SONICARE-6100', c % 2 ? 'VOLT-SONICARE-TRAVEL-CHARGER' : 'VOLT-SONICARE-HEADS-4'],
    });
  for (let c = 0; c < 12; c++) v.push({ customer: `w${c}`, items: ['VOLT-USBC-CABLE-2M', 'VOLT-POWERBANK-10K'] });
  v.push({ customer: 'volt-karen', items: ['VOLT-SONICARE-6100', 'VOLT-USBC-CABLE-2M'], daysAgo: 2 } as never);
  await orders(voltBrand, v);
  // Corner Deli: everyone's sourdough (gluten), coffee, and some bagels.
  const d: Array<{ customer: string; items: string[] }> = [];
  for (let c = 0; c < 15; c++) d.push({ customer: `d${c}`, items: ['CD-001', 'CD-002', ...(c % 3 ? [] : ['CD-068'])] });
  d.push({ customer: 'deli-sam', items: ['CD-001', 'CD-002'] });
  await orders(deliBrand, d);
  await train(voltBrand.id);
  await train(deliBrand.id);
});
after(() => sys.close());

const recs = async (brand: NewBrandKeys, qs: string) => {
  const r = await get(`/v1/recommendations?${qs}`, brand.secretKey);
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as {
    model_version: number;
    constraints: Array<{ label: string; fact_id: string }>;
    items: Array<{ product_id: string; name: string; price: number; reasons: string[]; fact_ids: string[] }>;
  };
};

describe('recommendations', { timeout: 40000 }, () => {
  test('complements for the Sonicare: what goes with it, in words that name it', async () => {
    const pid = karen.pids.get(voltBrand.id)!;
    const r = await recs(voltBrand, `person=${pid}&context=product:VOLT-SONICARE-6100&k=5`);
    const ids = r.items.map((i) => i.product_id);
    assert.ok(r.model_version >= 1);
    assert.ok(ids.includes('VOLT-SONICARE-TRAVEL-CHARGER') && ids.includes('VOLT-SONICARE-WALL-MOUNT'), ids.join());
    assert.ok(!ids.includes('VOLT-SONICARE-6100'), 'not the product itself');
    assert.ok(
      r.items.find((i) => i.product_id === 'VOLT-SONICARE-WALL-MOUNT')!.reasons.some((s) => /Sonicare/.test(s)),
    );
    // At home, her own toothbrush is what the accessories are for.
    const home = await recs(voltBrand, `person=${pid}&k=10`);
    const charger = home.items.find((i) => i.product_id === 'VOLT-SONICARE-TRAVEL-CHARGER');
    assert.ok(charger, home.items.map((i) => i.product_id).join());
    assert.ok(charger.reasons.includes('often bought with your Philips Sonicare'), charger.reasons.join('; '));
    // The read went through the gatekeeper and was audited as a recommendation.
    const audit = await sys.ctx.db.query(
      `SELECT call FROM audit_log WHERE person_id = $1 AND action = 'recommendation'`,
      [karen.person.id],
    );
    assert.ok(audit.rows.some((a) => a.call === 'GET /v1/recommendations'));
  });

  test('a stated diet changes the very next call, with the fact shown as used', async () => {
    const pid = sam.pids.get(deliBrand.id)!;
    const gluten = (id: string) =>
      (byId.get(id)!.attributes as { allergens: string[] }).allergens.some((a) => a === 'gluten' || a === 'wheat');
    const before = await recs(deliBrand, `person=${pid}&k=10`);
    assert.ok(
      before.items.some((i) => gluten(i.product_id)),
      'sourdough people get bread',
    );
    await say(sam.person.id, [{ about: 'self', kind: 'diet', value: 'gluten_free', polarity: 'positive' }]);
    const after = await recs(deliBrand, `person=${pid}&k=10`);
    assert.equal(after.items.length, 10);
    assert.deepEqual(
      after.items.filter((i) => gluten(i.product_id)).map((i) => i.name),
      [],
    );
    assert.deepEqual(
      after.constraints.map((c) => c.label),
      ['gluten-free'],
    );
    const food = after.items.find(
      (i) => (byId.get(i.product_id)!.attributes as { ingredients: string[] }).ingredients.length > 0,
    )!;
    assert.ok(food.fact_ids.includes(after.constraints[0].fact_id), JSON.stringify([food, after.constraints]));
  });

  test('gift mode uses only what is known about the recipient', async () => {
    const pid = karen.pids.get(deliBrand.id)!;
    await say(karen.person.id, [
      { about: 'self', kind: 'diet', value: 'vegan', polarity: 'positive' },
      { about: 'dad', kind: 'like', value: 'cheese', polarity: 'positive' },
    ]);
    const mine = await recs(deliBrand, `person=${pid}&k=10`);
    assert.deepEqual(
      mine.constraints.map((c) => c.label),
      ['vegan'],
    );
    const gift = await recs(deliBrand, `person=${pid}&context=gift:dad&k=10`);
    assert.deepEqual(gift.constraints, [], "Karen's own diet does not bind Dad's present");
    const cheese = gift.items.filter((i) => i.reasons.includes('because you said your dad loves cheese'));
    assert.ok(cheese.length >= 3, JSON.stringify(gift.items.map((i) => [i.name, i.reasons])));
    const textOf = (id: string) => {
      const p = byId.get(id)!;
      return `${p.name} ${p.description} ${p.categories} ${(p.attributes as { ingredients: string[] }).ingredients}`;
    };
    assert.ok(cheese.every((i) => /cheese/i.test(textOf(i.product_id))));
    const dadFact = new Set(cheese[0].fact_ids);
    assert.equal(dadFact.size, 1);
    for (const i of gift.items)
      for (const f of i.fact_ids) assert.ok(dadFact.has(f), 'only the fact about Dad is used');
    assert.ok(
      gift.items.some(
        (i) => !(byId.get(i.product_id)!.attributes as { diet_labels: string[] }).diet_labels.includes('vegan'),
      ),
    );
  });

  test('newcomers and anonymous visitors get popular things; a session steers them', async () => {
    const fresh = await recs(voltBrand, `person=${newcomer.pids.get(voltBrand.id)}&k=8`);
    assert.equal(fresh.items.length, 8);
    assert.ok(
      fresh.items.some((i) => i.reasons.some((s) => /popular (this week )?at Volt/.test(s))),
      JSON.stringify(fresh.items[0]),
    );
    const anon = await recs(voltBrand, 'k=8');
    assert.equal(anon.items.length, 8);
    const session = await recs(voltBrand, 'k=5&session_items=VOLT-SONICARE-6100');
    assert.ok(!session.items.some((i) => i.product_id === 'VOLT-SONICARE-6100'));
    assert.ok(session.items.some((i) => i.product_id === 'VOLT-SONICARE-TRAVEL-CHARGER'));
    const me = await sys.app.inject({
      method: 'GET',
      url: '/v1/me/recommendations?brand=corner-deli&k=3',
      headers: { authorization: bearer(karen.token) },
    });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().items.length, 3);
    assert.deepEqual(
      me.json().constraints.map((c: { label: string }) => c.label),
      ['vegan'],
    );
  });

  test('a dismissed product is not pushed again; lists vary a little between calls', async () => {
    const pid = newcomer.pids.get(deliBrand.id)!;
    const first = await recs(deliBrand, `person=${pid}&k=5`);
    const top = first.items[0].product_id;
    const t = await post('/v1/track', basic(deliBrand.writeKey), {
      userId: 'deli-new',
      event: 'Product Dismissed',
      properties: { product_id: top },
      messageId: 'dismiss-1',
    });
    assert.equal(t.statusCode, 200, t.body);
    const seen = new Set<string>();
    for (let n = 0; n < 6; n++) {
      const r = await recs(deliBrand, `person=${pid}&k=5`);
      assert.ok(!r.items.some((i) => i.product_id === top));
      seen.add(r.items.map((i) => i.product_id).join());
    }
    assert.ok(seen.size > 1, 'not the same five every time');
  });

  test('what another server process keeps of the activity is not used once new events are committed', async () => {
    // A second process: its own pool, so its own memory and its own feed of changes.
    const db = createPool(sys.url, 2);
    const otherCtx = { ...sys.ctx, db };
    const other = await buildApp(otherCtx);
    const listening = await startBackground(
      otherCtx,
      BACKGROUND.filter((w) => w.name === 'activity listener' || w.name === 'model store'),
    );
    try {
      const pid = sam.pids.get(deliBrand.id)!;
      const there = async () => {
        const r = await other.inject({
          url: `/v1/recommendations?person=${pid}&k=5`,
          headers: { authorization: bearer(deliBrand.secretKey) },
        });
        assert.equal(r.statusCode, 200, r.body);
        return (r.json().items as Array<{ product_id: string }>).map((i) => i.product_id);
      };
      await there();
      const shown = await there(); // from memory by now
      // Not what Sam bought: buying again is never taken back by a dismissal.
      for (const [n, top] of shown
        .filter((id) => !['CD-001', 'CD-002'].includes(id))
        .slice(0, 3)
        .entries()) {
        const t = await post('/v1/track', basic(deliBrand.writeKey), {
          userId: 'deli-sam',
          event: 'Product Dismissed',
          properties: { product_id: top },
          messageId: `elsewhere-${n}`,
        });
        assert.equal(t.statusCode, 200, t.body);
        assert.ok(!(await there()).includes(top), `${top} was dismissed in the other process`);
      }
    } finally {
      await other.close();
      await listening.stop();
      await db.end();
    }
  });

  test("another brand's pid is 404, no key 401, a bad context 400 with its path", async () => {
    const pid = karen.pids.get(voltBrand.id)!;
    const r = await get(`/v1/recommendations?person=${pid}`, other.secretKey);
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.path, '/querystring/person');
    assert.equal((await sys.app.inject({ method: 'GET', url: `/v1/recommendations?person=${pid}` })).statusCode, 401);
    const bad = await get(`/v1/recommendations?person=${pid}&context=nowhere`, voltBrand.secretKey);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '/querystring/context');
    assert.equal((await get(`/v1/recommendations?k=500`, voltBrand.secretKey)).json().error.path, '/querystring/k');
  });

  test('a newer model is swapped in under concurrent requests without an error', async () => {
    const pid = karen.pids.get(voltBrand.id)!;
    const store = storeFor(sys.ctx);
    const v0 = (await store.brand(voltBrand.id)).version;
    await orders(voltBrand, [{ customer: 'late', items: ['VOLT-ECHO-DOT', 'VOLT-SONICARE-6100'] }]);
    let swapping = true;
    const swap = train(voltBrand.id).finally(() => (swapping = false));
    const statuses: number[] = [];
    while (swapping || statuses.length < 200) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => get(`/v1/recommendations?person=${pid}&k=10`, voltBrand.secretKey)),
      );
      statuses.push(...batch.map((b) => b.statusCode));
      if (statuses.length > 5000) break;
    }
    await swap;
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.ok((await store.brand(voltBrand.id)).version > v0);
    assert.equal((await recs(voltBrand, `person=${pid}`)).model_version, (await store.brand(voltBrand.id)).version);
  });
});

describe('hard constraints (property: random catalogs and profiles)', () => {
  test('a forbidden product never appears, in any context', async () => {
    const rand = rng(20240601);
    const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const ALLERGENS = ['peanuts', 'tree_nuts', 'dairy', 'gluten', 'soy', 'eggs'];
    const BRANDS = ['Acme', 'Zenith', 'Borealis'];
    const WORDS = ['cheese', 'cracker', 'spicy', 'salsa', 'chocolate', 'tea', 'honey', 'bread'];
    for (let round = 0; round < 8; round++) {
      const brand = await sys.brand();
      const products: ProductInput[] = Array.from({ length: 40 }, (_, n) => {
        const words = [pickOf(WORDS), pickOf(WORDS)];
        return {
          id: `P${n}`,
          name: `${pickOf(BRANDS)} ${words.join(' ')}`,
          price: Math.round(rand() * 60 * 100) / 100,
          categories: [words[0]],
          attributes: {
            brand: pickOf(BRANDS),
            ingredients: words,
            allergens: ALLERGENS.filter(() => rand() < 0.25),
            diet_labels: rand() < 0.5 ? ['vegan'] : [],
          },
          complements: [`P${Math.floor(rand() * 40)}`, `P${Math.floor(rand() * 40)}`],
          in_stock: rand() < 0.85,
        };
      });
      await upsertProducts(sys.ctx.db, brand.id, products);
      const shopper = await sys.shopper({ brands: [{ brand, customerId: 'me' }] });
      const baskets = Array.from({ length: 30 }, (_, n) => ({
        customer: n % 4 ? `c${n % 9}` : 'me',
        items: [pickOf(products).id, pickOf(products).id, pickOf(products).id],
      }));
      for (const p of products) byId.set(p.id, p);
      await orders(brand, baskets);
      await trainBrandModel(sys.ctx.db, brand.id);
      await letSee(shopper.person.id, brand.id);
      const about = rand() < 0.5 ? 'self' : 'mom';
      const diet = rand() < 0.5;
      const allergy = pickOf(ALLERGENS);
      const avoid = pickOf(BRANDS);
      const max = 10 + Math.round(rand() * 40);
      const dislike = pickOf(WORDS);
      const facts: NewFact[] = [
        ...(diet ? [{ about, kind: 'diet', value: 'vegan', polarity: 'positive' } as const] : []),
        { about, kind: 'allergy', value: allergy, polarity: 'positive' },
        { about, kind: 'brand', value: avoid, polarity: 'negative' },
        { about, kind: 'budget', value: { max, currency: 'USD' }, polarity: 'positive' },
        { about, kind: 'dislike', value: dislike, polarity: 'positive' },
        { about, kind: 'like', value: pickOf(WORDS), polarity: 'positive' },
      ];
      await say(shopper.person.id, facts);
      const forbidden = (p: ProductInput) => {
        const a = p.attributes as { brand: string; allergens: string[]; diet_labels: string[] };
        return (
          p.in_stock === false ||
          a.allergens.includes(allergy) ||
          // What the ingredients reveal: cheese is dairy; honey is not vegan.
          (allergy === 'dairy' && /cheese/.test(p.name)) ||
          (diet &&
            (!a.diet_labels.includes('vegan') ||
              /cheese|honey/.test(p.name) ||
              a.allergens.some((x) => x === 'dairy' || x === 'eggs'))) ||
          a.brand === avoid ||
          p.name.startsWith(`${avoid} `) ||
          (p.price ?? 0) > max ||
          p.name.includes(dislike)
        );
      };
      const view = await viewFor(sys.ctx.db, {
        viewer: { brand: brand.id },
        person: { id: shopper.person.id },
        purpose: 'recommendations',
        call: 'test',
        action: 'recommendation',
        at: sys.ctx.now(),
        inTransaction: false,
      });
      const contexts: RecContext[] =
        about === 'self'
          ? [{ kind: 'home' }, { kind: 'cart' }, { kind: 'product', productId: pickOf(products).id }]
          : [{ kind: 'gift', about: 'mom' }];
      for (const context of contexts) {
        const r = await recommend(sys.ctx, view, context, 20, { brandId: brand.id, random: rand });
        for (const i of r.items)
          assert.ok(
            !forbidden(byId.get(i.product.id)!),
            `round ${round} ${JSON.stringify(context)}: ${i.product.name} breaks the profile`,
          );
        assert.ok(r.items.length > 0 || products.every(forbidden), 'something is allowed, so something is shown');
      }
    }
  });
});
