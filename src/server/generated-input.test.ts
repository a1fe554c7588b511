/**
 * The published API, driven by inputs generated from its own description: /openapi.json must be a valid OpenAPI
 * document (checked by a maintained validator), and for every operation, valid inputs (generated from the schemas by
 * json-schema-faker, seeded) and invalid ones (each a valid input with one thing broken) are sent with the right key
 * for the route's family. Asserted: never a 5xx; only statuses the operation documents; every JSON answer matches its
 * documented schema; a valid input is never refused as malformed (400/413/415); an invalid one always is (4xx).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createGeneratorSync } from 'json-schema-faker';
import { basic, bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { createPerson, issueToken } from '../people/people.js';
import { isTimestamp } from '../validation.js';

const SEED = 20261203;
const VALID_PER_OPERATION = 6;
const INVALID_PER_OPERATION = 6;
/** Values only the API gives out (a page cursor): any other is refused, so none is generated. */
const OPAQUE = new Set(['cursor']);
/** Chat text is cleaned of control characters (NUL included) rather than refused: the chat's own documented rule. */
const CLEANED = /\/conversations\/|\/handoffs\//;
/** Chat turns run the whole understanding pipeline: fewer of them keep the test quick. */
const SLOW = /\/conversations\//;

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked generically
type Json = any;

let sys: TestSystem;
let A: NewBrandKeys;
let shopperToken: string;
const fixtures: Record<string, string> = {};

before(async () => {
  sys = await testSystem();
  A = await sys.brand();
  const shopper = await sys.shopper({ brands: [{ brand: A, customerId: 'gen-cust' }] });
  shopperToken = shopper.token;
  fixtures.brand = A.slug;
  fixtures.pid = shopper.pids.get(A.id)!;
  const call = (method: string, url: string, auth: string, body?: unknown) =>
    sys.app.inject({ method: method as 'POST', url, headers: { authorization: auth }, payload: body as object });
  assert.equal(
    (await call('PUT', '/v1/catalog/products', bearer(A.secretKey), { products: [{ id: 'gen-p', name: 'Lamp' }] }))
      .statusCode,
    200,
  );
  fixtures.productId = 'gen-p';
  const order = {
    order_id: 'gen-o',
    customer_id: 'gen-cust',
    placed_at: '2026-01-01T10:00:00Z',
    items: [{ product_id: 'gen-p', quantity: 1, unit_price: 5 }],
  };
  assert.equal((await call('POST', '/v1/orders', bearer(A.secretKey), { orders: [order] })).statusCode, 200);
  fixtures.orderId = 'gen-o';
  const fact = await call('POST', '/v1/me/profile/facts', bearer(shopperToken), { kind: 'like', value: 'tea' });
  fixtures.factId = fact.json().id;
  const link = await call('POST', '/v1/people/link-requests', bearer(A.secretKey), { customer_id: 'gen-cust-2' });
  fixtures.code = link.json().code;
  fixtures.handoffId = (
    await sys.ctx.db.query(
      `INSERT INTO handoffs (person_id, brand_id, request, created_at) VALUES ($1, $2, 'a person please', now()) RETURNING handoff_id`,
      [shopper.person.id, A.id],
    )
  ).rows[0].handoff_id;
});
after(async () => {
  await sys?.close();
});

/** A seeded random source for the choices of the test itself (the generator has its own seed). */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ajv = new Ajv2020({ strict: false, allErrors: false, discriminator: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat('date-time', { type: 'string', validate: (v: string) => isTimestamp(v, { zone: true }) });
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();
const check = (schema: Json, value: unknown) => {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
  return fn(value) ? null : ajv.errorsText(fn.errors);
};

interface Input {
  path: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/** The leaves of a value with their JSON pointers. */
function leaves(v: unknown, at = '', depth = 0): Array<[string, unknown]> {
  if (typeof v !== 'object' || v === null || depth > 8) return [[at, v]];
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  const out: Array<[string, unknown]> = at ? [[at, v]] : [];
  for (const [k, x] of entries) for (const leaf of leaves(x, `${at}/${k}`, depth + 1)) out.push(leaf);
  return out;
}
function setAt(root: unknown, pointer: string, value: unknown | typeof REMOVE): unknown {
  const copy = structuredClone(root);
  const keys = pointer.split('/').slice(1);
  let node = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');

/**
 * A value of the schema from the test's own random source, for the few schemas json-schema-faker 0.6 cannot
 * generate (an anyOf of closed objects under a closed object).
 */
function sample(schema: Json, random: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && !schema.type) return sample(pick(branches), random, depth);
  switch (Array.isArray(schema.type) ? pick(schema.type) : schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries((schema.properties ?? {}) as Record<string, Json>))
        if (schema.required?.includes(k) || (depth < 3 && random() < 0.5)) out[k] = sample(sub, random, depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1 + Math.floor(random() * 2)) }, () =>
        sample(schema.items ?? {}, random, depth + 1),
      );
    case 'integer':
    case 'number': {
      const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const hi = Math.min(schema.maximum ?? lo + 1000, lo + 1000);
      return lo + Math.floor(random() * (hi - lo + 1));
    }
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'date-time')
        return new Date(Date.UTC(2026, 0, 1 + Math.floor(random() * 300))).toISOString();
      if (schema.format === 'uuid') return crypto.randomUUID();
      if (schema.format === 'email') return `g${Math.floor(random() * 1e6)}@example.com`;
      if (schema.format === 'uri') return 'https://example.com/x';
      const tries = ['USD', 'abcdefgh', 'x', `w${Math.floor(random() * 1e6)}`, 'dad'];
      const fits = (v: string) =>
        (!schema.pattern || new RegExp(schema.pattern, 'u').test(v)) &&
        v.length >= (schema.minLength ?? 0) &&
        v.length <= (schema.maxLength ?? Infinity);
      return tries.find(fits) ?? 'x'.repeat(schema.minLength ?? 1);
    }
    default:
      return pick(['x', 1, true, { a: 1 }]);
  }
}
const wrongType = (v: unknown) =>
  typeof v === 'string' ? 12345 : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? 'true' : 'x';

test('/openapi.json is a valid OpenAPI 3.1 document, and every error answer has the one error body', async () => {
  const doc = (await sys.app.inject({ url: '/openapi.json' })).json();
  const validator = new Validator();
  const res = await validator.validate(doc);
  assert.equal(res.valid, true, JSON.stringify(res.errors, null, 1));
  assert.equal(doc.openapi, '3.1.0');
  for (const [path, ops] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(ops as Json)) {
      const o = op as Json;
      for (const status of ['400', '404', ...(o.security ? ['401'] : []), ...(o.requestBody ? ['413', '415'] : [])])
        assert.equal(
          o.responses[status]?.content?.['application/json']?.schema?.$ref,
          '#/components/schemas/Error',
          `${method} ${path} documents ${status}`,
        );
    }
  // Segment's rule is in the schema itself.
  const track = doc.paths['/v1/track'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(track.anyOf, [{ required: ['userId'] }, { required: ['anonymousId'] }]);
});

test('generated inputs over every operation: no 5xx, only documented answers, answers match their schemas', async () => {
  const doc = (await sys.app.inject({ url: '/openapi.json' })).json();
  const validator = new Validator();
  await validator.validate(doc);
  const resolved = validator.resolveRefs() as Json;
  const gen = createGeneratorSync({ seed: SEED, maxDefaultItems: 2, maxItems: 3, optionalsProbability: 0.5 });
  const random = mulberry32(SEED);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const counts = { operations: 0, valid: 0, invalid: 0, failures: 0, fallback: 0 };
  const failures: string[] = [];
  const fail = (what: string) => {
    counts.failures++;
    if (failures.length < 40) failures.push(what);
  };

  const auth = async (op: Json, method: string, path: string): Promise<Record<string, string>> => {
    const scheme = op.security?.[0] ? Object.keys(op.security[0])[0] : null;
    if (scheme === 'secretKey') return { authorization: bearer(A.secretKey) };
    if (scheme === 'writeKey') return { authorization: basic(A.writeKey) };
    if (scheme === 'shopperToken') {
      // Signing out or erasing: a person of their own each time.
      if ((method === 'delete' && path === '/v1/me') || path === '/v1/auth/logout') {
        const p = await createPerson(sys.ctx.db, { email: `${crypto.randomUUID()}@example.com` });
        return { authorization: bearer(await issueToken(sys.ctx.db, p.id)) };
      }
      return { authorization: bearer(shopperToken) };
    }
    return {};
  };
  const fixtureFor = (path: string, name: string) =>
    name === 'id' ? (path.includes('handoffs') ? fixtures.handoffId : fixtures.factId) : fixtures[name];

  const make = (schema: Json): unknown => {
    try {
      return gen.generate(schema);
    } catch {
      counts.fallback++;
      return sample(schema, random);
    }
  };
  const generate = (op: Json, path: string, useFixtures: boolean): Input => {
    const input: Input = { path: {}, query: {}, body: undefined };
    for (const p of op.parameters ?? []) {
      const fixture = p.in === 'path' ? fixtureFor(path, p.name) : undefined;
      if (p.in === 'path') input.path[p.name] = useFixtures && fixture ? fixture : String(make(p.schema));
      else if (p.in === 'query' && !OPAQUE.has(p.name) && (p.required || random() < 0.5)) {
        const v = p.name === 'brand' && useFixtures ? A.slug : make(p.schema);
        if (v !== undefined && !(Array.isArray(v) && v.length === 0)) input.query[p.name] = v;
      }
    }
    const schema = op.requestBody?.content?.['application/json']?.schema;
    if (schema) input.body = make(schema);
    // A webhook URL is looked up in DNS when set: a generated host name would make the test wait on the network.
    if (path === '/v1/brand/webhook' && input.body) (input.body as Record<string, unknown>).url = null;
    return input;
  };

  const send = async (method: string, path: string, input: Input, headers: Record<string, string>) => {
    const url =
      path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(input.path[n])) +
      (Object.keys(input.query).length
        ? `?${new URLSearchParams(
            Object.entries(input.query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)])),
          ).toString()}`
        : '');
    return sys.app.inject({
      method: method.toUpperCase() as 'POST',
      url,
      headers: { ...headers, ...(input.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(input.body === undefined ? {} : { payload: JSON.stringify(input.body) }),
    });
  };

  /** What every answer must be: no 5xx, documented, matching its schema, no database text. */
  const judge = (what: string, op: Json, r: Awaited<ReturnType<typeof send>>) => {
    if (r.statusCode >= 500) return fail(`${what} -> ${r.statusCode} ${r.body.slice(0, 200)}`);
    const documented = op.responses[String(r.statusCode)];
    if (!documented) return fail(`${what} -> undocumented ${r.statusCode} ${r.body.slice(0, 200)}`);
    const schema = documented.content?.['application/json']?.schema;
    if (schema && String(r.headers['content-type']).startsWith('application/json')) {
      const problem = check(schema, r.json());
      if (problem) fail(`${what} -> ${r.statusCode} does not match its schema: ${problem} ${r.body.slice(0, 200)}`);
    }
    if (r.statusCode >= 400 && /relation "|column "|violates|invalid input syntax/.test(r.body))
      fail(`${what} -> database text reached the client: ${r.body.slice(0, 200)}`);
  };

  for (const [path, ops] of Object.entries(resolved.paths as Json)) {
    for (const [method, op] of Object.entries(ops as Json) as Array<[string, Json]>) {
      if (path === '/v1/auth/verify' || path === '/v1/auth/email') continue; // sign-in is edges-start's (and mails)
      counts.operations++;
      const slow = SLOW.test(path);
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      for (let n = 0; n < (slow ? 2 : VALID_PER_OPERATION); n++) {
        const input = generate(op, path, n % 2 === 0);
        const what = `${method.toUpperCase()} ${path} valid #${n} ${JSON.stringify(input).slice(0, 300)}`;
        const r = await send(method, path, input, await auth(op, method, path));
        counts.valid++;
        judge(what, op, r);
        if ([400, 413, 415].includes(r.statusCode) && !(bodySchema && check(bodySchema, input.body)))
          fail(`${what} -> a valid input refused: ${r.statusCode} ${r.body.slice(0, 300)}`);
      }
      for (let n = 0; n < (slow ? 2 : INVALID_PER_OPERATION); n++) {
        const input = generate(op, path, true);
        const queryParams = (op.parameters ?? []).filter((p: Json) => p.in === 'query');
        let broken: string;
        if (bodySchema && input.body !== undefined) {
          const spots = leaves(input.body);
          const kind = n % 4;
          const [at, value] = spots.length ? pick(spots) : ['', input.body];
          if (kind === 0 && at) input.body = setAt(input.body, at, wrongType(value));
          else if (kind === 1 && at && !CLEANED.test(path)) {
            const strings = spots.filter(([, v]) => typeof v === 'string');
            input.body = strings.length ? setAt(input.body, pick(strings)[0], 'a\u0000b') : wrongType(input.body);
          } else if (kind === 2 && bodySchema.required?.length)
            input.body = setAt(input.body, `/${pick(bodySchema.required as string[])}`, REMOVE);
          else input.body = kind === 3 ? [input.body] : wrongType(input.body);
          broken = 'body';
          const stillValid = !check(bodySchema, input.body) && !JSON.stringify(input.body).includes('\\u0000');
          if (stillValid) continue; // the change happened to keep it valid (a free-form field)
        } else if (queryParams.some((p: Json) => ['integer', 'number'].includes(p.schema?.type))) {
          const p = queryParams.find((q: Json) => ['integer', 'number'].includes(q.schema?.type));
          input.query[p.name] = 'not-a-number';
          broken = `query ${p.name}`;
        } else if (Object.keys(input.path).length) {
          const name = Object.keys(input.path)[0];
          input.path[name] = pick(['x'.repeat(300), '%00', 'a\u0000b', ' ']);
          broken = `path ${name}`;
        } else continue;
        const what = `${method.toUpperCase()} ${path} invalid ${broken} ${JSON.stringify(input).slice(0, 300)}`;
        const r = await send(method, path, input, await auth(op, method, path));
        counts.invalid++;
        judge(what, op, r);
        if (r.statusCode < 400) fail(`${what} -> an invalid input accepted: ${r.statusCode} ${r.body.slice(0, 200)}`);
        else if (broken === 'body' && r.statusCode === 400 && !String(r.json().error?.path ?? '').startsWith('/body'))
          fail(`${what} -> a 400 without the path of what is wrong: ${r.body.slice(0, 200)}`);
      }
    }
  }
  console.log(
    `# generated inputs: ${counts.operations} operations, ${counts.valid + counts.invalid} inputs tried (${counts.valid} valid, ${counts.invalid} invalid), ${counts.failures} failures`,
  );
  assert.deepEqual(failures, []);
  assert.ok(counts.operations >= 30, 'every operation of the document was tried');
});
