/**
 * The gatekeeper as an attacker sees it. Every operation of the published API (read from /openapi.json, so a route
 * added later is attacked too) is called with every wrong credential and every wrong way to reach a victim: no key,
 * made-up keys, another brand's keys, another person's token, the victim's revoked and expired tokens, the linked
 * brand with a pid it should not know, a purpose not granted, an expired or revoked grant, and special-category
 * facts with no grant of their own. Path parameters are filled with the victims' ids.
 *
 * A leak is any response that carries a victim's value the caller may not see (values the caller sent are not
 * counted: echoing your own input reveals nothing), or a 2xx to a credential the operation does not accept.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { createPerson, issueToken, pidFor } from '../people/people.js';
import { recordFacts } from '../profile/facts.js';
import { SESSION_COOKIE } from '../server/auth.js';
import { type Method, brandReads, caller, putGrant, stateFact } from './testing.js';

const HOUR = 3600_000;
let clock = Date.now();
let sys: TestSystem;
let call: ReturnType<typeof caller>;
let A: NewBrandKeys; // the brand the victim is linked with
let B: NewBrandKeys; // another brand, with a customer of its own
let C: NewBrandKeys; // a third brand whose data taught us something about the victim

/** A value of someone's that must not reach a caller unless `visible` says it may. */
interface Secret {
  value: string;
  what: string;
  /** Who may see it: the victim's own session always; a brand by the rule given. */
  visibleTo: (caller: Caller) => boolean;
}
/** Who is calling: which brand's secret key (if any), and the purpose of the call. */
interface Caller {
  brand: 'A' | 'B' | null;
  purpose: string | null;
}

const secrets: Secret[] = [];
const hidden = (value: string, what: string): Secret => ({ value, what, visibleTo: () => false });
const ids = {} as {
  victimPerson: string;
  victimPidA: string;
  victimPidB: string;
  unlinkedPidA: string;
  otherPidB: string;
  factId: string;
  orderId: string;
  productId: string;
  customerId: string;
  confirmedCode: string;
  handoffId: string;
  victimEmail: string;
};
let revokedToken: string;
let expiredToken: string;
let victimToken: string;

/**
 * The test's own model of what the linked brand A may see of the victim per purpose, from the grants below:
 * recommendations "all" (ordinary scopes, bundled), marketing likes (revoked), analytics "all" (expired), nothing
 * for service but what A itself contributed.
 */
const ALLOWED_FOR_A: Record<string, string[]> = {
  recommendations: ['qzxlikes', 'QZXSIZE', 'qzxobserveda', 'qzxobservedc', 'qzxflyfishing'],
  service: ['qzxobserveda'],
  marketing: [],
  analytics: [],
};

before(async () => {
  sys = await testSystem({ now: () => new Date(clock) });
  call = caller(sys);
  [A, B, C] = [await sys.brand(), await sys.brand(), await sys.brand()];

  // The victim: linked with A (and with C, whose data gave an observed like), with facts of every sensitivity.
  const victim = await sys.shopper({
    name: 'Qzxvictim Name',
    brands: [
      { brand: A, customerId: 'qzx-cust-a' },
      { brand: C, customerId: 'qzx-cust-c' },
    ],
  });
  victimToken = victim.token;
  ids.victimPerson = victim.person.id;
  ids.victimEmail = victim.person.email!;
  ids.victimPidA = victim.pids.get(A.id)!;
  ids.victimPidB = pidFor(sys.ctx.secret, victim.person.id, B.id);
  ids.customerId = 'qzx-cust-a';
  const t = victim.token;
  ids.factId = await stateFact(sys, t, { kind: 'like', value: 'qzxlikes' });
  await stateFact(sys, t, { kind: 'size', value: { item: 'shoes', size: 'QZXSIZE' } });
  await stateFact(sys, t, { kind: 'allergy', value: 'qzxallergen' });
  await stateFact(sys, t, { kind: 'diet', value: 'halal' });
  await stateFact(sys, t, { kind: 'household', value: 'my daughter qzxkid' });
  await stateFact(sys, t, { kind: 'location', value: '12 qzxhaven street' });
  await stateFact(sys, t, { kind: 'budget', value: { max: 987.65, currency: 'USD' } });
  await stateFact(sys, t, { about: 'dad', kind: 'like', value: 'qzxflyfishing' });
  const now = new Date(clock);
  await recordFacts(
    sys.ctx.db,
    victim.person.id,
    [{ about: 'self', kind: 'like', value: 'qzxobserveda', polarity: 'positive' }],
    { source: 'observed', confidence: 0.7, at: now, brandId: A.id },
  );
  await recordFacts(
    sys.ctx.db,
    victim.person.id,
    [{ about: 'self', kind: 'like', value: 'qzxobservedc', polarity: 'positive' }],
    { source: 'observed', confidence: 0.7, at: now, brandId: C.id },
  );

  await putGrant(sys, t, { brand: A.slug, scopes: 'all', purposes: ['recommendations'], how: 'page' });
  await putGrant(sys, t, { brand: A.slug, scopes: ['profile.likes'], purposes: ['marketing'] });
  assert.equal(
    (await call('DELETE', `/v1/me/grants?brand=${A.slug}&purposes=marketing`, { auth: bearer(t) })).statusCode,
    200,
  );
  await putGrant(sys, t, {
    brand: A.slug,
    scopes: 'all',
    purposes: ['analytics'],
    expires_at: new Date(clock + HOUR).toISOString(),
  });

  // The victim's dealings with A: an order (by tracking), a confirmed link code, a chat and a handoff.
  const track = await call('POST', '/v1/track', {
    auth: basic(A.writeKey),
    body: {
      userId: 'qzx-cust-a',
      event: 'Order Completed',
      properties: {
        order_id: 'qzx-order-1',
        currency: 'USD',
        products: [{ product_id: 'qzx-sku', name: 'Qzxitem Lamp', quantity: 1, price: 5 }],
      },
    },
  });
  assert.equal(track.statusCode, 200, track.body);
  ids.orderId = 'qzx-order-1';
  ids.productId = 'qzx-sku';
  const lr = await call('POST', '/v1/people/link-requests', {
    auth: bearer(A.secretKey),
    body: { customer_id: 'qzx-cust-a2' },
  });
  ids.confirmedCode = lr.json().code;
  assert.equal((await call('POST', `/v1/me/links/${ids.confirmedCode}`, { auth: bearer(t) })).statusCode, 200);
  await sys.ctx.db.query(
    `INSERT INTO conversation_messages (person_id, brand_id, role, text, at) VALUES ($1, $2, 'shopper', 'qzxchat with the shop', $3)`,
    [victim.person.id, A.id, now],
  );
  ids.handoffId = (
    await sys.ctx.db.query(
      `INSERT INTO handoffs (person_id, brand_id, request, created_at) VALUES ($1, $2, 'qzxhandoff a person please', $3) RETURNING handoff_id`,
      [victim.person.id, A.id, now],
    )
  ).rows[0].handoff_id;

  // Tokens of the victim's that must not work any more.
  const old = await issueToken(sys.ctx.db, victim.person.id, 'old', 30, now);
  assert.equal((await call('POST', '/v1/auth/logout', { auth: bearer(old) })).statusCode, 200);
  revokedToken = old;
  expiredToken = await issueToken(sys.ctx.db, victim.person.id, 'old', 1, new Date(clock - 2 * 24 * HOUR));

  // A person A knew once (a grant, since revoked) but is not linked with: their pid must lead nowhere.
  const unlinked = await sys.shopper();
  await stateFact(sys, unlinked.token, { kind: 'like', value: 'qzxunlinked' });
  await putGrant(sys, unlinked.token, { brand: A.slug, scopes: 'all', purposes: ['recommendations'] });
  ids.unlinkedPidA = pidFor(sys.ctx.secret, unlinked.person.id, A.id);
  assert.equal(
    (await brandReads(sys, A.secretKey, ids.unlinkedPidA, 'recommendations')).facts.length,
    1,
    'the grant works before it is revoked',
  );
  assert.equal((await call('DELETE', '/v1/me/grants', { auth: bearer(unlinked.token) })).statusCode, 200);

  // B's own customer, linked with B, who granted B nothing.
  const other = await sys.shopper({ brands: [{ brand: B, customerId: 'qzx-cust-b' }] });
  await stateFact(sys, other.token, { kind: 'like', value: 'qzxotherperson' });
  ids.otherPidB = other.pids.get(B.id)!;

  // Time passes: the analytics grant has expired.
  clock += 2 * HOUR;

  const brandAFact = (value: string, what: string): Secret => ({
    value,
    what,
    visibleTo: (c) => c.brand === 'A' && c.purpose !== null && ALLOWED_FOR_A[c.purpose]?.includes(value) === true,
  });
  const knownTo = (brand: 'A' | 'B', value: string, what: string): Secret => ({
    value,
    what,
    visibleTo: (c) => c.brand === brand,
  });
  secrets.push(
    ...['qzxlikes', 'QZXSIZE', 'qzxobserveda', 'qzxobservedc', 'qzxflyfishing'].map((v) =>
      brandAFact(v, `victim fact ${v}`),
    ),
    // Special categories, never granted on their own: nobody but the victim sees them.
    hidden('qzxallergen', 'allergy (health)'),
    hidden('halal', 'religious diet'),
    hidden('qzxkid', 'children'),
    hidden('qzxhaven', 'precise location'),
    hidden('987.65', 'budget (finances)'),
    hidden('Qzxvictim', 'name in Confidant'),
    hidden(ids.victimEmail, 'e-mail in Confidant'),
    hidden(ids.victimPerson, 'internal person id'),
    hidden(ids.victimPidB, "victim's pid for B"),
    hidden('qzxunlinked', 'fact of a person A is not linked with'),
    hidden('qzxotherperson', "fact of B's customer, granted to nobody"),
    // What A holds itself about its customer.
    knownTo('A', ids.victimPidA, "victim's pid for A"),
    knownTo('A', 'qzx-cust-a', "A's customer id"),
    // (The item's name is the product's, public in A's catalog; the order is the victim's.)
    knownTo('A', 'qzx-order-1', "the victim's order at A"),
    knownTo('A', 'qzxchat', 'chat with A'),
    knownTo('A', 'qzxhandoff', 'handoff at A'),
    knownTo('A', ids.unlinkedPidA, 'pid A once had'),
    knownTo('B', ids.otherPidB, "B's pid for its customer"),
    knownTo('B', 'qzx-cust-b', "B's customer id"),
  );
});

after(async () => {
  await sys?.close();
});

/** The credentials an attacker may hold: `brand` is whose secret key it is, `kind` the security scheme it satisfies (null: none). */
interface Identity {
  name: string;
  kind: 'secretKey' | 'writeKey' | 'shopperToken' | null;
  brand: 'A' | 'B' | null;
  headers: () => Promise<{ auth?: string; cookie?: string }>;
}
const identities = (): Identity[] => [
  { name: 'no key', kind: null, brand: null, headers: async () => ({}) },
  {
    name: 'wrong secret key',
    kind: null,
    brand: null,
    headers: async () => ({ auth: bearer(`sk_${crypto.randomBytes(24).toString('base64url')}`) }),
  },
  {
    name: 'wrong write key',
    kind: null,
    brand: null,
    headers: async () => ({ auth: basic(`wk_${crypto.randomBytes(18).toString('base64url')}`) }),
  },
  {
    name: 'wrong token',
    kind: null,
    brand: null,
    headers: async () => ({ auth: bearer(`tok_${crypto.randomBytes(24).toString('base64url')}`) }),
  },
  { name: 'revoked token', kind: null, brand: null, headers: async () => ({ auth: bearer(revokedToken) }) },
  {
    name: 'revoked token (cookie)',
    kind: null,
    brand: null,
    headers: async () => ({ cookie: `${SESSION_COOKIE}=${revokedToken}` }),
  },
  { name: 'expired token', kind: null, brand: null, headers: async () => ({ auth: bearer(expiredToken) }) },
  {
    name: "another brand's secret key",
    kind: 'secretKey',
    brand: 'B',
    headers: async () => ({ auth: bearer(B.secretKey) }),
  },
  {
    name: "another brand's write key",
    kind: 'writeKey',
    brand: 'B',
    headers: async () => ({ auth: basic(B.writeKey) }),
  },
  {
    name: "the linked brand's write key",
    kind: 'writeKey',
    brand: null,
    headers: async () => ({ auth: basic(A.writeKey) }),
  },
  {
    name: "the linked brand's secret key",
    kind: 'secretKey',
    brand: 'A',
    headers: async () => ({ auth: bearer(A.secretKey) }),
  },
  {
    name: "another person's token",
    kind: 'shopperToken',
    brand: null,
    // A fresh person each time: an attempt may sign them out or erase them.
    headers: async () => ({
      auth: bearer(
        await issueToken(
          sys.ctx.db,
          (await createPerson(sys.ctx.db, { email: `${crypto.randomUUID()}@example.com` })).id,
        ),
      ),
    }),
  },
];

/**
 * The ids each caller may legitimately name in a call: a 2xx for any other answers about someone out of its reach.
 * A brand's slug is public (anyone may talk to its assistant).
 */
const reachable = (brand: 'A' | 'B' | null): string[] =>
  brand === 'A'
    ? [A.slug, ids.victimPidA, ids.orderId, ids.productId, ids.handoffId, ids.confirmedCode, ids.customerId]
    : brand === 'B'
      ? [A.slug, ids.otherPidB]
      : [A.slug];

/** Query parameters that name someone or something of someone's: filled with the victims' ids like path parameters. */
const ID_QUERY = new Set(['pid', 'person', 'code', 'id', 'orderId', 'productId']);

/** Victim ids to put in path (and id query) parameters, by parameter name; an unknown name gets all of them. */
function candidatesFor(name: string): string[] {
  const pids = [ids.victimPidA, ids.unlinkedPidA, ids.otherPidB, ids.victimPidB, ids.victimPerson];
  const byName: Record<string, string[]> = {
    pid: pids,
    person: pids,
    code: [ids.confirmedCode],
    id: [ids.factId, ids.handoffId],
    orderId: [ids.orderId],
    productId: [ids.productId],
    brand: [A.slug],
  };
  return (
    byName[name] ?? [...new Set([...pids, ids.factId, ids.orderId, ids.customerId, ids.confirmedCode, ids.handoffId])]
  );
}

/** Values for body and query fields by name, so calls get past validation and aim at the victim. */
const fieldHints = (): Record<string, unknown> => ({
  brand: A.slug,
  customer_id: ids.customerId,
  userId: ids.customerId,
  code: ids.confirmedCode,
  pid: ids.victimPidA,
  email: ids.victimEmail,
  token: ids.confirmedCode,
  text: 'what do you know about me?',
  url: 'http://127.0.0.1:9/hook',
  event: 'Product Viewed',
});

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI schema walked generically
type Schema = Record<string, any>;

/** A value the schema accepts (as far as a simple walk can tell), preferring the victim's ids for known names. */
function sample(schema: Schema | undefined, name = ''): unknown {
  if (!schema) return 'x';
  const hint = fieldHints()[name];
  if (hint !== undefined && (schema.type === 'string' || schema.anyOf || schema.type === undefined)) return hint;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return sample(branches.find((b: Schema) => b.type !== 'null') ?? branches[0], name);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sample(s, name)));
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        const wanted =
          schema.required?.includes(k) ||
          fieldHints()[k] !== undefined ||
          Object.keys(out).length < (schema.minProperties ?? 0);
        if (wanted) out[k] = sample(s, k);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items, name));
    case 'integer':
    case 'number':
      return schema.minimum ?? schema.exclusiveMinimum ?? 1;
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'date-time') return new Date(clock).toISOString();
      if (schema.format === 'uuid') return ids.factId;
      if (schema.format === 'email') return ids.victimEmail;
      const tries = [ids.handoffId, 'USD', 'x'.repeat(Math.max(1, schema.minLength ?? 1))];
      const fits = (v: string) =>
        (!schema.pattern || new RegExp(schema.pattern).test(v)) &&
        v.length >= (schema.minLength ?? 0) &&
        v.length <= (schema.maxLength ?? Infinity);
      return tries.find(fits) ?? tries[tries.length - 1];
    }
    default:
      return 'x';
  }
}

interface Operation {
  method: Method;
  path: string;
  schemes: string[];
  pathParams: string[];
  /** Id parameters of the query string. */
  idQuery: string[];
  query: Array<{ name: string; required: boolean; schema: Schema }>;
  body: Schema | undefined;
}

function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = (op.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema: Schema }>;
      ops.push({
        method: method.toUpperCase() as Method,
        path,
        schemes: (op.security ?? []).flatMap((s: Schema) => Object.keys(s)),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        idQuery: params.filter((p) => p.in === 'query' && ID_QUERY.has(p.name)).map((p) => p.name),
        query: params
          .filter((p) => p.in === 'query' && !ID_QUERY.has(p.name))
          .map((p) => ({ name: p.name, required: !!p.required, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  // Erasing and signing out last: they end the sessions they are called with.
  const last = (o: Operation) => (o.method === 'DELETE' ? 2 : 0) + (o.pathParams.length === 0 ? 1 : 0);
  return ops.sort((a, b) => last(a) - last(b));
}

function cartesian<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
}

test('every route of /openapi.json, attacked every way, leaks nothing of the victims', async () => {
  // Controls: the victim's values are there to be found, in the victim's own view and in what A was granted.
  const own = await call('GET', '/v1/me/profile', { auth: bearer(victimToken) });
  for (const s of secrets.filter(
    (x) => x.what.startsWith('victim fact') || ['allergy (health)', 'children', 'precise location'].includes(x.what),
  )) {
    assert.ok(own.body.includes(s.value), `the victim sees their own ${s.what}`);
  }
  for (const [purpose, allowed] of Object.entries(ALLOWED_FOR_A)) {
    const read = await brandReads(sys, A.secretKey, ids.victimPidA, purpose);
    assert.equal(read.status, 200);
    assert.deepEqual(
      read.facts.map((f) => JSON.stringify(f.value).match(/qzx\w+|QZX\w+/i)?.[0]).sort(),
      [...allowed].sort(),
      `A reads for ${purpose}`,
    );
  }

  const doc = (await call('GET', '/openapi.json')).json();
  const ops = operationsOf(doc);
  assert.ok(ops.length >= 30, `the API has its routes (${ops.length})`);
  assert.ok(ops.some((o) => o.path === '/v1/people/{pid}/profile'));

  let attempts = 0;
  const leaks: string[] = [];
  // Operations no attempt got past input validation with: their handlers were never attacked.
  const shallow = new Set(ops.map((o) => `${o.method} ${o.path}`));
  // What each identity has sent so far: a value it wrote earlier and reads back is its own, not a leak.
  const sentBy = new Map<string, string>();
  for (const op of ops) {
    const purposeParam = op.query.find((q) => q.name === 'purpose');
    // Every purpose the route knows, so each grant state is tried; a route without the parameter may be named for one.
    const implied = Object.keys(ALLOWED_FOR_A).find((p) => op.path.split('/').includes(p)) ?? null;
    const purposes: Array<string | null> = purposeParam?.schema.enum ?? [implied];
    for (const identity of identities()) {
      const fills = cartesian([...op.pathParams, ...op.idQuery].map((p) => candidatesFor(p)));
      for (const fill of fills) {
        for (const purpose of purposes) {
          let url = op.path;
          op.pathParams.forEach((p, i) => (url = url.replace(`{${p}}`, encodeURIComponent(fill[i]))));
          const qs = new URLSearchParams();
          op.idQuery.forEach((q, i) => qs.set(q, fill[op.pathParams.length + i]));
          for (const q of op.query) {
            if (q.name === 'purpose' && purpose) qs.set('purpose', purpose);
            else if (q.required || fieldHints()[q.name] !== undefined) qs.set(q.name, String(sample(q.schema, q.name)));
          }
          if ([...qs].length) url += `?${qs}`;
          const body = op.body ? sample(op.body) : undefined;
          const res = await call(op.method, url, { ...(await identity.headers()), body });
          attempts++;

          if (res.statusCode !== 400) shallow.delete(`${op.method} ${op.path}`);
          const sent = (sentBy.get(identity.name) ?? '') + url + JSON.stringify(body ?? '');
          sentBy.set(identity.name, sent);
          const seen = res.body + JSON.stringify(res.headers);
          const who: Caller = { brand: identity.brand, purpose };
          const where = `${op.method} ${url} as ${identity.name} -> ${res.statusCode}`;
          for (const s of secrets) {
            if (seen.includes(s.value) && !sent.includes(s.value) && !s.visibleTo(who))
              leaks.push(`${where}: ${s.what}`);
          }
          // A secured operation answers a credential it does not accept with an error, whatever the rest of the call.
          const accepted = identity.kind !== null && op.schemes.includes(identity.kind);
          if (op.schemes.length > 0 && !accepted && res.statusCode < 300)
            leaks.push(`${where}: accepted a credential it does not take`);
          const outOfReach = fill.filter((v) => !reachable(identity.brand).includes(v));
          if (outOfReach.length && res.statusCode < 300)
            leaks.push(`${where}: answered about ${outOfReach.join(', ')}, out of its reach`);
          if (res.statusCode >= 500) leaks.push(`${where}: server error ${res.body}`);
        }
      }
    }
  }

  // Nothing the attempts did changed the victim's profile, grants or links.
  const after = await call('GET', '/v1/me/profile', { auth: bearer(victimToken) });
  assert.equal(after.json().facts.length, own.json().facts.length, "the victim's facts are all still there");
  const grants = await call('GET', '/v1/me/grants?include_inactive=true', { auth: bearer(victimToken) });
  assert.equal(
    grants.json().grants.filter((g: { status: string }) => g.status === 'active').length,
    10,
    'the victim\'s active grants are unchanged ("all" for recommendations)',
  );
  const links = await call('GET', '/v1/me/links', { auth: bearer(victimToken) });
  assert.equal(links.json().links.length, 3);

  console.log(`gatekeeper: ${attempts} attempts, ${leaks.length} leaks`);
  assert.deepEqual(leaks, []);
  assert.deepEqual([...shallow], [], 'every operation was reached past its input validation');
  assert.ok(attempts > 300, 'enough attempts were made to mean something');
});
