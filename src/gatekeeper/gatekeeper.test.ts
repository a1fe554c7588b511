/**
 * The gatekeeper as the shopper and a brand see it, over HTTP: grants that take effect on the next call, special
 * categories shared only on their own explicit grant, expiry, the audit log, the export against its published
 * schema, erasure with its receipt, the signed webhook to a linked brand, and suppression of re-sent events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { REGISTRY } from '../person-data.js';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { recordFacts } from '../profile/facts.js';
import type { Static } from '@sinclair/typebox';
import type { ExportSchema } from './export-schema.js';
import { brandReads, caller, putGrant, stateFact } from './testing.js';
import { buildApp } from '../server/app.js';
import { createPool } from '../db/pool.js';

// The brand's webhook receiver below listens on loopback: the operator's development setting allows it.
process.env.CONFIDANT_ALLOW_PRIVATE_URLS = '1';

const HOUR = 3600_000;
// Real time plus an offset the expiry test moves forward (webhook timestamps stay checkable against it).
let offset = 0;
const now = () => new Date(Date.now() + offset);
let sys: TestSystem;
let call: ReturnType<typeof caller>;
let A: NewBrandKeys;
let B: NewBrandKeys;

before(async () => {
  sys = await testSystem({ now });
  call = caller(sys);
  [A, B] = [await sys.brand(), await sys.brand()];
});
after(async () => {
  await sys?.close();
});

/** A shopper linked with A (and B), and the values A reads about them for a purpose. */
async function linkedShopper() {
  const s = await sys.shopper({
    brands: [
      { brand: A, customerId: `c-${crypto.randomUUID()}` },
      { brand: B, customerId: `c-${crypto.randomUUID()}` },
    ],
  });
  const pid = s.pids.get(A.id)!;
  const values = async (purpose: string) =>
    (await brandReads(sys, A.secretKey, pid, purpose)).facts.map((f) => f.text).sort();
  return { ...s, pid, values };
}

describe('grants', () => {
  test('a grant and its revocation take effect on the very next call', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'like', value: 'fly fishing' });
    await stateFact(sys, s.token, { kind: 'size', value: { item: 'shirt', size: 'M' } });
    assert.deepEqual(await s.values('recommendations'), [], 'nothing granted, nothing seen (and not redacted either)');

    const granted = await putGrant(sys, s.token, {
      brand: A.slug,
      scopes: ['profile.likes'],
      purposes: ['recommendations'],
      how: 'chat',
    });
    assert.equal(granted[0].scope, 'profile.likes');
    assert.deepEqual(await s.values('recommendations'), ['likes fly fishing']);
    assert.deepEqual(await s.values('marketing'), [], 'a grant is for its purpose only');
    const read = await brandReads(sys, A.secretKey, s.pid, 'recommendations');
    assert.equal(read.facts[0].source, 'stated');
    assert.ok(Math.abs(Date.parse(read.facts[0].at) - now().getTime()) < 60_000, 'each fact says when');
    assert.ok(!read.body.includes(s.person.id), 'the internal person id never reaches a brand');

    assert.equal(
      (await call('DELETE', `/v1/me/grants?brand=${A.slug}&scopes=profile.likes`, { auth: bearer(s.token) })).json()
        .revoked,
      1,
    );
    assert.deepEqual(await s.values('recommendations'), []);
    await putGrant(sys, s.token, { brand: A.slug, scopes: 'all', purposes: ['recommendations'] });
    assert.deepEqual(await s.values('recommendations'), ['likes fly fishing', 'shirt size medium']);
    assert.deepEqual(
      await s.values('recommendations'),
      ['likes fly fishing', 'shirt size medium'],
      'and again: nothing cached changes it',
    );
  });

  test('a view another server process keeps in memory is not used once the person changed anything', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'like', value: 'fly fishing' });
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.likes'], purposes: ['recommendations'] });
    // A second process: its own pool, so its own memory.
    const db = createPool(sys.url, 2);
    const other = await buildApp({ ...sys.ctx, db });
    try {
      const readThere = async () => {
        const r = await other.inject({
          url: `/v1/people/${s.pid}/profile?purpose=recommendations`,
          headers: { authorization: bearer(A.secretKey) },
        });
        return r.statusCode === 200
          ? (r.json().facts as Array<{ text: string }>).map((f) => f.text).sort()
          : r.statusCode;
      };
      const entries = async () =>
        (
          await sys.ctx.db.query('SELECT count(*)::int AS n FROM audit_log WHERE person_id = $1 AND brand_id = $2', [
            s.person.id,
            A.id,
          ])
        ).rows[0].n;
      assert.deepEqual(await readThere(), ['likes fly fishing']);
      assert.deepEqual(await readThere(), ['likes fly fishing'], 'read again from memory');
      const factId = await stateFact(sys, s.token, { kind: 'like', value: 'tea' });
      assert.deepEqual(await readThere(), ['likes fly fishing', 'likes tea'], 'a fact stated in this process');
      assert.equal((await call('DELETE', `/v1/me/profile/facts/${factId}`, { auth: bearer(s.token) })).statusCode, 200);
      assert.deepEqual(await readThere(), ['likes fly fishing'], 'a fact deleted');
      const logged = await entries();
      await call('DELETE', `/v1/me/grants?brand=${A.slug}&scopes=profile.likes`, { auth: bearer(s.token) });
      assert.deepEqual(await readThere(), [], 'a grant revoked');
      assert.equal(await entries(), logged + 1, 'one entry for the read, none for the out-of-date view');
      await sys.ctx.db.query('UPDATE brand_customers SET confirmed_at = NULL WHERE person_id = $1 AND brand_id = $2', [
        s.person.id,
        A.id,
      ]);
      assert.equal(await readThere(), 404, 'the link gone and no grant left: unknown');
      await sys.ctx.db.query('UPDATE brand_customers SET confirmed_at = now() WHERE person_id = $1 AND brand_id = $2', [
        s.person.id,
        A.id,
      ]);
      assert.deepEqual(await readThere(), [], 'linked again');
      assert.equal((await call('DELETE', '/v1/me', { auth: bearer(s.token) })).statusCode, 200);
      assert.equal(await readThere(), 404, 'erased: unknown, in the other process too');
    } finally {
      await other.close();
      await db.end();
    }
  });

  test('the change log is trimmed only below a horizon half an hour old', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'like', value: 'kites' });
    const logged = async () =>
      (await sys.ctx.db.query('SELECT count(*)::int AS n FROM person_changes WHERE person_id = $1', [s.person.id]))
        .rows[0].n;
    assert.ok((await logged()) > 0);
    await sys.ctx.db.query('SELECT clean_person_changes()');
    assert.ok((await logged()) > 0, 'a fresh horizon trims nothing');
    // A horizon noted 31 minutes ago, above every transaction so far: what they logged can go.
    await sys.ctx.db.query(
      `INSERT INTO person_change_horizons VALUES (now() - interval '31 minutes', pg_current_xact_id())`,
    );
    await sys.ctx.db.query('SELECT clean_person_changes()');
    assert.equal(await logged(), 0);
  });

  test('special categories: never in "all" or a bundle, shared only on an explicit grant of exactly that scope', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'allergy', value: 'peanuts' });
    await stateFact(sys, s.token, { kind: 'diet', value: 'halal' });
    await stateFact(sys, s.token, { kind: 'like', value: 'tea' });
    await putGrant(sys, s.token, { brand: A.slug, scopes: 'all', purposes: ['recommendations'] });
    assert.deepEqual(
      await s.values('recommendations'),
      ['likes tea'],
      'accept-all leaves allergies and a religious diet out',
    );
    const all = await call('GET', '/v1/me/grants', { auth: bearer(s.token) });
    assert.ok(
      !all
        .json()
        .grants.some((g: { scope: string }) =>
          ['profile.allergies', 'profile.budget', 'location.precise'].includes(g.scope),
        ),
      '"all" holds no special scope',
    );

    await putGrant(sys, s.token, {
      brand: A.slug,
      scopes: ['profile.diet', 'profile.likes'],
      purposes: ['recommendations'],
    });
    assert.deepEqual(
      await s.values('recommendations'),
      ['likes tea'],
      'a bundle of scopes is not explicit for the diet',
    );
    const bundled = await call('PUT', '/v1/me/grants', {
      auth: bearer(s.token),
      body: { brand: A.slug, scopes: ['profile.allergies', 'profile.likes'], purposes: ['recommendations'] },
    });
    assert.equal(bundled.statusCode, 400, 'a special scope cannot be bundled');
    assert.equal(bundled.json().error.path, '/body/scopes');

    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.allergies'], purposes: ['recommendations'] });
    assert.deepEqual(await s.values('recommendations'), ['allergic to peanuts', 'likes tea']);
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.diet'], purposes: ['recommendations'] });
    assert.deepEqual(await s.values('recommendations'), ['allergic to peanuts', 'halal', 'likes tea']);
    assert.deepEqual(await s.values('marketing'), [], 'the explicit grants are for recommendations only');
    await putGrant(sys, s.token, { brand: A.slug, scopes: 'all', purposes: ['recommendations'] });
    assert.deepEqual(
      await s.values('recommendations'),
      ['allergic to peanuts', 'halal', 'likes tea'],
      'a later "all" does not take back an explicit grant',
    );
  });

  test("what another brand's orders taught us is shared only with orders.other_brands; a brand's own, for service, always", async () => {
    const s = await linkedShopper();
    const seenAt = (brand: NewBrandKeys, value: string) =>
      recordFacts(sys.ctx.db, s.person.id, [{ about: 'self', kind: 'like', value, polarity: 'positive' }], {
        source: 'observed',
        confidence: 0.8,
        at: now(),
        brandId: brand.id,
      });
    await seenAt(A, 'trail mix');
    await seenAt(B, 'hiking boots');
    assert.deepEqual(
      await s.values('service'),
      ['likes trail mix'],
      'A sees what it contributed, for service, with no grant',
    );
    assert.deepEqual(await s.values('recommendations'), []);
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.likes'], purposes: ['recommendations'] });
    assert.deepEqual(await s.values('recommendations'), ['likes trail mix']);
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['orders.other_brands'], purposes: ['recommendations'] });
    assert.deepEqual(await s.values('recommendations'), ['likes hiking boots', 'likes trail mix']);
    const audit = (await call('GET', '/v1/me/audit?limit=1', { auth: bearer(s.token) })).json().entries[0];
    assert.deepEqual(audit.scopes.sort(), ['orders.other_brands', 'profile.likes']);
  });

  test('a corrected or deleted fact reaches the brand as the person left it, on the next call', async () => {
    const s = await linkedShopper();
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.sizes'], purposes: ['service'] });
    const id = await stateFact(sys, s.token, { kind: 'size', value: { item: 'shirt', size: 'M' } });
    assert.deepEqual(await s.values('service'), ['shirt size medium']);
    const patched = await call('PATCH', `/v1/me/profile/facts/${id}`, {
      auth: bearer(s.token),
      body: { value: { item: 'shirt', size: 'L' } },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(await s.values('service'), ['shirt size large']);
    assert.equal(
      (await call('DELETE', `/v1/me/profile/facts/${patched.json().id}`, { auth: bearer(s.token) })).statusCode,
      200,
    );
    assert.deepEqual(await s.values('service'), []);
    assert.equal(
      (await call('DELETE', `/v1/me/profile/facts/${patched.json().id}`, { auth: bearer(s.token) })).statusCode,
      404,
    );
  });

  test('a grant with an expiry ends by itself', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'like', value: 'kayaks' });
    const g = await putGrant(sys, s.token, {
      brand: A.slug,
      scopes: ['profile.likes'],
      purposes: ['marketing'],
      expires_at: new Date(now().getTime() + HOUR).toISOString(),
    });
    assert.equal(g[0].status, 'active');
    assert.deepEqual(await s.values('marketing'), ['likes kayaks']);
    offset += 2 * HOUR;
    assert.deepEqual(await s.values('marketing'), []);
    assert.equal((await call('GET', '/v1/me/grants', { auth: bearer(s.token) })).json().grants.length, 0);
    const inactive = (await call('GET', '/v1/me/grants?include_inactive=true', { auth: bearer(s.token) })).json()
      .grants;
    assert.deepEqual(
      inactive.map((x: { status: string }) => x.status),
      ['expired'],
    );
    const past = await call('PUT', '/v1/me/grants', {
      auth: bearer(s.token),
      body: { brand: A.slug, scopes: ['profile.likes'], purposes: ['marketing'], expires_at: '2020-01-01T00:00:00Z' },
    });
    assert.equal(past.statusCode, 400);
  });

  test('pids differ per brand and work only for their own brand', async () => {
    const s = await linkedShopper();
    const pidB = s.pids.get(B.id)!;
    assert.notEqual(s.pid, pidB);
    assert.equal((await brandReads(sys, B.secretKey, s.pid, 'service')).status, 404);
    assert.equal((await brandReads(sys, A.secretKey, pidB, 'service')).status, 404);
    assert.equal((await brandReads(sys, B.secretKey, pidB, 'service')).status, 200);
    const noPurpose = await call('GET', `/v1/people/${s.pid}/profile`, { auth: bearer(A.secretKey) });
    assert.equal(noPurpose.statusCode, 400, 'every brand call says its purpose');
  });
});

describe('audit', () => {
  test('every brand read is in the log, newest first, a page at a time', async () => {
    const s = await linkedShopper();
    await stateFact(sys, s.token, { kind: 'like', value: 'gravel bikes' });
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.likes'], purposes: ['recommendations'] });
    const purposes = ['service', 'recommendations', 'marketing', 'recommendations', 'analytics'];
    for (const p of purposes) await brandReads(sys, A.secretKey, s.pid, p);
    await brandReads(sys, B.secretKey, s.pids.get(B.id)!, 'service');

    const seen: Array<{
      id: number;
      at: string;
      brand: { slug: string };
      purpose: string;
      scopes: string[];
      facts: Array<{ text: string | null }>;
      call: string;
    }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await call('GET', `/v1/me/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        auth: bearer(s.token),
      });
      assert.equal(r.statusCode, 200);
      seen.push(...r.json().entries);
      cursor = r.json().next_cursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.equal(seen.length, 6);
    assert.deepEqual(
      seen.map((e) => `${e.brand.slug}:${e.purpose}`),
      [`${B.slug}:service`, ...purposes.map((p) => `${A.slug}:${p}`).reverse()],
      'newest first',
    );
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].at >= seen[i].at);
    const granted = seen.find((e) => e.purpose === 'recommendations')!;
    assert.deepEqual(granted.scopes, ['profile.likes']);
    assert.deepEqual(
      granted.facts.map((f) => f.text),
      ['likes gravel bikes'],
    );
    assert.equal(granted.call, 'GET /v1/people/{pid}/profile');
    assert.equal(
      (await call('GET', '/v1/me/audit?cursor=bm90LWEtY3Vyc29y', { auth: bearer(s.token) })).statusCode,
      400,
      'a made-up cursor',
    );
  });
});

describe('export, erase, and what comes after', () => {
  let s: Awaited<ReturnType<typeof linkedShopper>>;
  let customerId: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let secret: string;

  before(async () => {
    s = await linkedShopper();
    customerId = (
      await sys.ctx.db.query('SELECT external_id FROM brand_customers WHERE person_id = $1 AND brand_id = $2', [
        s.person.id,
        A.id,
      ])
    ).rows[0].external_id;
    await stateFact(sys, s.token, { kind: 'like', value: 'sourdough' });
    await stateFact(sys, s.token, { about: 'dad', kind: 'date', value: { occasion: 'birthday', month: 6, day: 3 } });
    const track = (body: object) =>
      call('POST', '/v1/track', { auth: basic(A.writeKey), body: { userId: customerId, ...body } });
    assert.equal((await track({ event: 'Product Viewed', properties: { product_id: 'BREAD-1' } })).statusCode, 200);
    assert.equal(
      (
        await track({
          event: 'Order Completed',
          properties: {
            order_id: 'EX-1',
            currency: 'USD',
            products: [{ product_id: 'BREAD-1', name: 'Rye Loaf', quantity: 2, price: 4 }],
          },
        })
      ).statusCode,
      200,
    );
    await sys.ctx.db.query(
      `INSERT INTO conversation_messages (person_id, brand_id, role, text, at) VALUES ($1, $2, 'shopper', 'where is my rye?', $3)`,
      [s.person.id, A.id, now()],
    );
    // A room added later, with a child table whose foreign key does not cascade (and sorts after its parent by name),
    // declaring its tables in the registry as every room does (children first).
    await sys.ctx.db.query(`CREATE TABLE aa_wishlists (person_id uuid NOT NULL REFERENCES persons(id), list_id int NOT NULL, name text NOT NULL, PRIMARY KEY (person_id, list_id));
      CREATE TABLE zz_wishlist_items (person_id uuid NOT NULL, list_id int NOT NULL, item text NOT NULL, FOREIGN KEY (person_id, list_id) REFERENCES aa_wishlists)`);
    const wishlistTable = (table: string) =>
      ({ table, placement: 'by person', export: 'other_records', erase: 'other rooms', merge: 'all rows' }) as const;
    sys.ctx.registry = {
      rooms: [
        ...REGISTRY.rooms,
        { room: 'wishlists', person: [wishlistTable('zz_wishlist_items'), wishlistTable('aa_wishlists')], other: [] },
      ],
    };
    await sys.ctx.db.query(
      `INSERT INTO aa_wishlists VALUES ($1, 1, 'birthday'); INSERT INTO zz_wishlist_items VALUES ($1, 1, 'fly rod')`.replace(
        /\$1/g,
        `'${s.person.id}'`,
      ),
    );
    await putGrant(sys, s.token, { brand: A.slug, scopes: ['profile.likes'], purposes: ['recommendations'] });
    await brandReads(sys, A.secretKey, s.pid, 'recommendations');
    hook = await receiver();
    const set = await call('PUT', '/v1/brand/webhook', { auth: bearer(A.secretKey), body: { url: hook.url } });
    assert.equal(set.statusCode, 200);
    secret = set.json().secret;
    assert.match(secret, /^whsec_/);
  });
  after(() => hook?.close());

  test('the export holds everything, and validates against the published schema', async () => {
    const r = await call('GET', '/v1/me/export', { auth: bearer(s.token) });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    const doc = r.json();
    const schema = (await call('GET', '/v1/schemas/export.json')).json();
    assert.equal(doc.$schema, schema.$id);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    // Compiled from the document the server publishes; the TypeBox type only names the fields for the checks below.
    const validate = ajv.compile<Static<typeof ExportSchema>>(schema);
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));

    assert.equal(doc.person.id, s.person.id);
    const facts = doc.facts.map((f) => `${f.text} (${f.source})`);
    assert.ok(facts.includes('likes sourdough (stated)'));
    assert.ok(facts.includes('birthday on June 3 (stated)'));
    assert.deepEqual(
      doc.orders.map((o) => `${o.order_id}: ${o.items.map((i) => i.name)}`),
      ['EX-1: Rye Loaf'],
    );
    assert.ok(doc.events.some((e) => e.event === 'Product Viewed'));
    assert.deepEqual(
      doc.conversations.map((m) => m.text),
      ['where is my rye?'],
    );
    assert.deepEqual(
      doc.grants.map((g) => `${g.brand}:${g.scope}`),
      [`${A.slug}:profile.likes`],
    );
    assert.ok(doc.audit_log.some((a) => a.brand === A.slug && a.purpose === 'recommendations'));
    assert.ok(doc.links.some((l) => l.customer_id === customerId));
    assert.ok(!r.body.includes('token_hash') && !r.body.includes('tok_'), 'credentials stay out');
    assert.deepEqual(
      doc.other_records.zz_wishlist_items,
      [{ list_id: 1, item: 'fly rod' }],
      "another room's rows come along",
    );
  });

  test('the export is streamed over HTTP, not built whole first', async () => {
    const base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
    const r = await fetch(`${base}/v1/me/export`, { headers: { authorization: bearer(s.token) } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('transfer-encoding'), 'chunked');
    assert.equal(r.headers.get('content-length'), null);
    assert.equal((await r.json()).format, 'confidant-export');
  });

  test('erasure: a receipt, nothing left keyed by the person, and the export is gone', async () => {
    const r = await call('DELETE', '/v1/me', { auth: bearer(s.token) });
    assert.equal(r.statusCode, 200, r.body);
    const receipt = r.json();
    assert.match(receipt.erasure_id, /^[0-9a-f-]{36}$/);
    assert.equal(receipt.brands_notified, 1, 'A has a webhook; B has none and is not told');
    assert.ok(
      receipt.counts.facts >= 2 &&
        receipt.counts.orders === 1 &&
        receipt.counts.events >= 2 &&
        receipt.counts.persons === 1,
      JSON.stringify(receipt.counts),
    );
    assert.ok(!JSON.stringify(receipt).includes('sourdough'), 'the receipt keeps counts, not data');

    assert.equal((await call('GET', '/v1/me/export', { auth: bearer(s.token) })).statusCode, 401);
    assert.equal((await brandReads(sys, A.secretKey, s.pid, 'recommendations')).status, 404);
    const tables = await sys.ctx.db.query(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'person_id' AND table_name <> 'erasures'`,
    );
    for (const { table_name } of tables.rows) {
      const left = await sys.ctx.db.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE person_id = $1`, [
        s.person.id,
      ]);
      assert.equal(left.rows[0].n, 0, `${table_name} still holds the person`);
    }
    const trace = await sys.ctx.db.query(`SELECT count(*)::int AS n FROM brand_customers WHERE external_id = $1`, [
      customerId,
    ]);
    assert.equal(trace.rows[0].n, 0);
  });

  test('the linked brand gets a signed webhook, retried until it answers', async () => {
    const deliveries = await hook.waitFor(2, 20_000);
    const [first, second] = deliveries;
    assert.equal(first.status, 503, 'the receiver fails the first attempt');
    assert.equal(
      second.headers['webhook-id'],
      first.headers['webhook-id'],
      'a retry keeps its id, so the brand can drop duplicates',
    );
    for (const d of deliveries) {
      const id = d.headers['webhook-id'] as string;
      const ts = d.headers['webhook-timestamp'] as string;
      const expected = crypto
        .createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`${id}.${ts}.${d.body}`)
        .digest('base64');
      assert.ok(
        String(d.headers['webhook-signature']).split(' ').includes(`v1,${expected}`),
        'the signature verifies with the whsec_ secret',
      );
      assert.ok(Math.abs(Number(ts) - now().getTime() / 1000) < 300);
    }
    const body = JSON.parse(second.body);
    assert.equal(body.type, 'person.erased');
    assert.equal(body.data.pid, s.pid);
    assert.deepEqual(body.data.customer_ids, [customerId]);
  });

  test('events the brand sends again for the erased customer do not bring the person back', async () => {
    const persons = async () => (await sys.ctx.db.query('SELECT count(*)::int AS n FROM persons')).rows[0].n;
    const before = await persons();
    const auth = basic(A.writeKey);
    assert.equal(
      (
        await call('POST', '/v1/track', {
          auth,
          body: { userId: customerId, event: 'Product Viewed', properties: { product_id: 'BREAD-1' } },
        })
      ).statusCode,
      200,
    );
    assert.equal(
      (
        await call('POST', '/v1/identify', {
          auth,
          body: { userId: customerId, traits: { email: 'back@example.com', birthday: '1990-06-03' } },
        })
      ).statusCode,
      200,
    );
    const batch = {
      batch: [
        {
          type: 'track',
          userId: customerId,
          event: 'Order Completed',
          properties: {
            order_id: 'EX-2',
            products: [{ product_id: 'BREAD-1', name: 'Rye Loaf', quantity: 1, price: 4 }],
          },
        },
      ],
    };
    assert.equal((await call('POST', '/v1/batch', { auth, body: batch })).statusCode, 200);
    assert.equal(await persons(), before);
    const trace = await sys.ctx.db.query(
      `SELECT (SELECT count(*) FROM brand_customers WHERE brand_id = $1 AND external_id = $2) + (SELECT count(*) FROM orders WHERE brand_id = $1 AND order_id = 'EX-2')
         + (SELECT count(*) FROM order_items WHERE brand_id = $1 AND order_id = 'EX-2')
         + (SELECT count(*) FROM events WHERE brand_id = $1 AND person_id NOT IN (SELECT id FROM persons)) AS n`,
      [A.id, customerId],
    );
    assert.equal(Number(trace.rows[0].n), 0);
  });
});

/** A brand's webhook endpoint on loopback: fails the first delivery with 503, accepts the rest, keeps them all. */
async function receiver() {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string; status: number }> = [];
  let wake = () => {};
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const status = got.length === 0 ? 503 : 204;
      got.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
      wake();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/confidant`,
    async waitFor(n: number, ms: number) {
      const deadline = Date.now() + ms;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`${got.length} of ${n} webhook deliveries arrived`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 250);
        });
      }
      return got;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
