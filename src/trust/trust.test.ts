import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { chatWorld, NOW, type ChatWorld } from '../conversation/chat-fixtures.js';
import { grant } from '../gatekeeper/view.js';
import { factsOf } from '../profile/facts.js';
import { isFactUseRetired, recordTrustSignal, recordTrustSignals, trustBetween } from './index.js';

let w: ChatWorld;
before(async () => {
  w = await chatWorld();
});
after(async () => {
  await w.sys.close();
});

const DAY = 86_400_000;
const later = (days: number) => new Date(NOW.getTime() + days * DAY);
const me = async (token: string) =>
  (await w.sys.app.inject({ method: 'GET', url: '/v1/me/trust', headers: { authorization: bearer(token) } })).json()
    .brands as Array<{
    brand: { slug: string; name: string };
    score: number;
    level: string;
    words: string;
    text: string;
    retired: Array<{ fact_id: string; description: string | null; purpose: string }>;
  }>;
const signals = async (personId: string, brandId: number) =>
  (
    await w.sys.ctx.db.query(
      'SELECT kind FROM trust_signals WHERE person_id = $1 AND brand_id = $2 ORDER BY signal_id',
      [personId, brandId],
    )
  ).rows.map((r) => r.kind as string);

describe('trust grows with two-way interactions', () => {
  test('questions answered, a fact stated and a second purchase raise it; the page says so in words', async () => {
    const before = await trustBetween(w.sys.ctx.db, w.karen.id, w.volt.id, NOW);
    assert.deepEqual(await signals(w.karen.id, w.volt.id), ['purchase'], 'her Volt order counted');
    assert.equal(before.words, "you've bought once");
    const bob = await trustBetween(w.sys.ctx.db, w.bob.id, w.volt.id, NOW);

    for (const q of ['where is my order?', 'send me the tracking link', 'what goes with it?', 'when will it arrive?'])
      await w.say(w.karen.token, 'volt', q);
    await w.say(w.karen.token, 'volt', 'I wear a medium');
    const order = {
      order_id: 'V-1002',
      customer_id: 'volt-karen',
      placed_at: NOW.toISOString(),
      items: [{ product_id: 'VOLT-ECHO-DOT', name: 'Amazon Echo Dot (5th Gen)', quantity: 1, unit_price: 49.99 }],
    };
    for (let i = 0; i < 2; i++) {
      const r = await w.sys.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: { authorization: bearer(w.volt.secretKey) },
        payload: { orders: [order] },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const kinds = await signals(w.karen.id, w.volt.id);
    assert.equal(kinds.filter((k) => k === 'purchase').length, 2, 'an order sent twice is one purchase');
    assert.equal(kinds.filter((k) => k === 'question_answered').length, 4);
    assert.equal(kinds.filter((k) => k === 'fact_stated').length, 1);

    const after = await trustBetween(w.sys.ctx.db, w.karen.id, w.volt.id, NOW);
    assert.ok(after.score > before.score, `${after.score} > ${before.score}`);
    assert.equal(after.level, 'high');
    assert.equal(after.words, "you've talked often and bought twice");
    const page = await me(w.karen.token);
    const volt = page.find((b) => b.brand.slug === w.volt.slug)!;
    assert.equal(volt.text, "Volt: you've talked often and bought twice");
    assert.equal(volt.level, 'high');
    assert.deepEqual(
      await trustBetween(w.sys.ctx.db, w.bob.id, w.volt.id, NOW),
      bob,
      "Karen's chats move nobody else's trust",
    );
  });

  test("the shopper's own Confidant is no brand: talking there moves no trust", async () => {
    const count = async () =>
      Number(
        (await w.sys.ctx.db.query('SELECT count(*) FROM trust_signals WHERE person_id = $1', [w.karen.id])).rows[0]
          .count,
      );
    const n = await count();
    await w.say(w.karen.token, 'me', 'where is my order?');
    assert.equal(await count(), n);
  });

  test('it fades without contact, stays between 0 and 1, and bad points are remembered longer than good ones', async () => {
    const db = w.sys.ctx.db;
    const now = await trustBetween(db, w.karen.id, w.volt.id, NOW);
    const year = await trustBetween(db, w.karen.id, w.volt.id, later(365));
    assert.ok(year.score < now.score && year.score > 0, `${year.score} < ${now.score}`);

    const s = await w.sys.shopper({ brands: [{ brand: w.volt, customerId: 'volt-bounds' }] });
    const fresh = await trustBetween(db, s.person.id, w.volt.id, NOW);
    assert.equal(fresh.level, 'new');
    assert.equal(fresh.words, "you haven't talked yet");
    await recordTrustSignals(
      db,
      Array.from({ length: 300 }, (_, i) => ({
        personId: s.person.id,
        brandId: w.volt.id,
        kind: 'purchase' as const,
        ref: `o-${i}`,
        at: new Date(NOW.getTime() - i * 3_600_000),
      })),
    );
    const loyal = await trustBetween(db, s.person.id, w.volt.id, NOW);
    assert.ok(loyal.score < 1 && loyal.score > 0.95, String(loyal.score));
    assert.equal(loyal.words, "you've bought 300 times");
    assert.deepEqual(
      await trustBetween(db, s.person.id, w.volt.id),
      loyal,
      'without a time, as of the last signal (whatever the clock says)',
    );
    for (let i = 0; i < 100; i++)
      await recordTrustSignal(db, { personId: s.person.id, brandId: w.deli.id, kind: 'abuse', at: NOW });
    const rough = await trustBetween(db, s.person.id, w.deli.id, NOW);
    assert.ok(rough.score > 0 && rough.score < 0.01, String(rough.score));
    assert.equal(rough.level, 'low');

    // One good and one bad of the same size, a season ago: the bad one still weighs more.
    const t = await w.sys.shopper({ brands: [{ brand: w.volt, customerId: 'volt-memory' }] });
    await recordTrustSignal(db, { personId: t.person.id, brandId: w.volt.id, kind: 'complaint', at: NOW });
    await recordTrustSignal(db, { personId: t.person.id, brandId: w.volt.id, kind: 'apology', at: NOW });
    const even = await trustBetween(db, t.person.id, w.volt.id, NOW);
    const season = await trustBetween(db, t.person.id, w.volt.id, later(120));
    assert.ok(season.score < even.score, `${season.score} < ${even.score}`);
  });

  test('a signal is checked before it is written', async () => {
    const db = w.sys.ctx.db;
    await assert.rejects(
      recordTrustSignal(db, { personId: w.karen.id, brandId: w.volt.id, kind: 'hug' as never, at: NOW }),
      /unknown trust signal/,
    );
    await assert.rejects(
      recordTrustSignal(db, { personId: w.karen.id, brandId: 0, kind: 'purchase', at: NOW }),
      /between a person and a brand/,
    );
    await assert.rejects(
      recordTrustSignal(db, { personId: w.karen.id, brandId: w.volt.id, kind: 'purchase', at: new Date(Number.NaN) }),
      /needs its time/,
    );
  });
});

describe('"too creepy" lowers trust and retires that use of the fact for that brand', () => {
  test('in the chat: trust falls, the fact is retired for Corner Deli, and the next suggestion does not use it', async () => {
    const db = w.sys.ctx.db;
    await w.say(w.dad.token, 'corner-deli', "I'm doing keto now");
    const picks = await w.say(w.dad.token, 'corner-deli', 'what should I have for breakfast?');
    const keto = picks.used_facts.find((f) => f.kind === 'diet')!;
    assert.ok(keto, 'the suggestion used keto');
    const before = await trustBetween(db, w.dad.id, w.deli.id, NOW);
    assert.equal(await isFactUseRetired(db, w.dad.id, w.deli.id, keto.id), false);

    const creepy = await w.say(w.dad.token, 'corner-deli', "that's creepy, how do you know that");
    assert.equal(creepy.understood.intent, 'too_creepy');
    const after = await trustBetween(db, w.dad.id, w.deli.id, NOW);
    assert.ok(after.score < before.score, `${after.score} < ${before.score}`);
    assert.equal(await isFactUseRetired(db, w.dad.id, w.deli.id, keto.id), true);
    assert.equal(await isFactUseRetired(db, w.dad.id, w.volt.id, keto.id), false, 'another brand is not concerned');
    assert.equal(await isFactUseRetired(db, w.dad.id, w.deli.id, 'not-a-uuid'), false);

    const again = await w.say(w.dad.token, 'corner-deli', 'any breakfast ideas?');
    assert.ok(!again.used_facts.some((f) => f.id === keto.id), 'the next reply does not use keto');
    const deli = (await me(w.dad.token)).find((b) => b.brand.slug === w.deli.slug)!;
    assert.match(
      deli.text,
      /^Corner Deli: you've talked a few times and bought 21 times, but found something too personal$/,
    );
    assert.deepEqual(
      deli.retired.map((r) => [r.fact_id, r.description, r.purpose]),
      [[keto.id, 'keto', 'recommendations']],
    );
  });

  test("the button on a reply or message: POST /v1/me/too-creepy, for the person's own facts only", async () => {
    const db = w.sys.ctx.db;
    await w.say(w.karen.token, 'volt', 'I love fly fishing');
    const fishing = (await factsOf(db, w.karen.id)).find((f) => f.kind === 'like' && f.value === 'fly fishing')!;
    const dadsFact = (await factsOf(db, w.dad.id))[0];
    const post = (payload: object, token = w.karen.token) =>
      w.sys.app.inject({
        method: 'POST',
        url: '/v1/me/too-creepy',
        headers: { authorization: bearer(token) },
        payload,
      });

    const bad = await post({ brand: w.volt.slug, fact_ids: ['nope'] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '/body/fact_ids/0');
    const notHers = await post({ brand: w.volt.slug, fact_ids: [fishing.id, dadsFact.id] });
    assert.equal(notHers.statusCode, 404);
    assert.equal(notHers.json().error.path, '/body/fact_ids/1');
    const noBrand = await post({ brand: 'nobody', fact_ids: [fishing.id] });
    assert.equal(noBrand.statusCode, 404);
    assert.equal(await isFactUseRetired(db, w.karen.id, w.volt.id, fishing.id), false, 'nothing written on a 4xx');
    assert.equal(await isFactUseRetired(db, w.dad.id, w.volt.id, dadsFact.id), false);

    const before = await trustBetween(db, w.karen.id, w.volt.id, NOW);
    const ok = await post({ brand: w.volt.slug, fact_ids: [fishing.id], purpose: 'marketing' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.ok(ok.json().score < before.score);
    assert.deepEqual(
      ok.json().retired.map((r: { description: string; purpose: string }) => [r.description, r.purpose]),
      [['likes fly fishing', 'marketing']],
    );
    assert.equal(await isFactUseRetired(db, w.karen.id, w.volt.id, fishing.id), true);
    assert.equal(await isFactUseRetired(db, w.karen.id, w.deli.id, fishing.id), false);
    assert.deepEqual(
      (await factsOf(db, w.karen.id)).find((f) => f.id === fishing.id)!.retiredUses,
      ['marketing'],
      'that use is retired in the profile too',
    );
  });
});

describe('a brand sees an aggregate only', () => {
  test('counts per level over the persons who granted analytics, small buckets hidden, no person named', async () => {
    const db = w.sys.ctx.db;
    const brand = await w.sys.brand('Summit');
    const summary = async () =>
      (
        await w.sys.app.inject({
          method: 'GET',
          url: '/v1/brand/trust-summary',
          headers: { authorization: bearer(brand.secretKey) },
        })
      ).json();
    const people = [];
    for (let i = 0; i < 7; i++) people.push(await w.sys.shopper({ brands: [{ brand, customerId: `summit-${i}` }] }));
    // Six grant analytics; the seventh does not and is never counted.
    for (const p of people.slice(0, 6))
      await grant(db, {
        personId: p.person.id,
        brandId: brand.id,
        scopes: ['profile.likes'],
        purposes: ['analytics'],
        how: 'page',
        explicit: false,
        at: NOW,
      });
    for (const [i, p] of people.entries())
      await recordTrustSignals(db, [
        { personId: p.person.id, brandId: brand.id, kind: 'purchase', ref: `s-${i}-1`, at: NOW },
        { personId: p.person.id, brandId: brand.id, kind: 'purchase', ref: `s-${i}-2`, at: NOW },
      ]);
    for (let i = 0; i < 2; i++)
      await recordTrustSignal(db, { personId: people[0].person.id, brandId: brand.id, kind: 'abuse', at: NOW });
    assert.equal((await trustBetween(db, people[0].person.id, brand.id, NOW)).level, 'low');

    const s = await summary();
    assert.equal(s.persons, 6);
    assert.deepEqual(s.levels, { new: null, low: null, medium: 5, high: null });
    assert.equal(s.min_bucket, 5);
    assert.equal(typeof s.mean_score, 'number');
    assert.doesNotMatch(JSON.stringify(s), /[0-9a-f]{8}-[0-9a-f]{4}/, 'no person id');

    const other = await w.sys.app.inject({
      method: 'GET',
      url: '/v1/brand/trust-summary',
      headers: { authorization: bearer(w.deli.secretKey) },
    });
    assert.equal(other.json().persons, 0, "another brand's grants are not this brand's");
    assert.equal(
      (await w.sys.app.inject({ method: 'GET', url: '/v1/brand/trust-summary' })).statusCode,
      401,
      'a secret key is needed',
    );
  });
});
