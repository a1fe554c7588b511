/**
 * The widget's API from the outside: only origins the brand lists get CORS answers (and anything else from
 * another origin is refused), a customer is identified only with the right HMAC of their id, and a widget session
 * is good for that one brand's chat and nothing else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { customerHash } from './widget/token.js';

let sys: TestSystem;
let shop: NewBrandKeys;
let other: NewBrandKeys;
let identity: string;

before(async () => {
  sys = await testSystem();
  shop = await sys.brand('Lamp Shop');
  other = await sys.brand('Other Shop');
  const s = await sys.app.inject({ url: '/v1/brand/widget', headers: { authorization: bearer(shop.secretKey) } });
  identity = s.json().identity_secret;
});
after(() => sys?.close());

const session = (brand: string, body: object, origin?: string) =>
  sys.app.inject({
    method: 'POST',
    url: `/v1/widget/${brand}/sessions`,
    headers: origin ? { origin } : {},
    payload: body,
  });

describe('the widget API', () => {
  test("the widget's files may be loaded by other sites' pages", async () => {
    for (const url of ['/widget.js', '/widget.css']) {
      const r = await sys.app.inject({ url });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin', url);
    }
    assert.equal((await sys.app.inject({ url: '/app.js' })).headers['cross-origin-resource-policy'], 'same-origin');
  });

  test('CORS answers only the origins the brand lists; a call from any other origin is refused', async () => {
    const preflight = (origin: string) =>
      sys.app.inject({
        method: 'OPTIONS',
        url: `/v1/widget/${shop.slug}/messages`,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    assert.equal((await preflight('https://lamps.example')).headers['access-control-allow-origin'], undefined);
    assert.equal((await session(shop.slug, {}, 'https://lamps.example')).statusCode, 403);

    const put = await sys.app.inject({
      method: 'PUT',
      url: '/v1/brand/widget',
      headers: { authorization: bearer(shop.secretKey) },
      payload: { allowed_origins: ['https://lamps.example'], look: { position: 'left', color: '#aa3300' } },
    });
    assert.equal(put.statusCode, 200);
    assert.deepEqual(put.json().allowed_origins, ['https://lamps.example']);
    assert.equal(
      (await preflight('https://lamps.example')).headers['access-control-allow-origin'],
      'https://lamps.example',
    );
    const ok = await session(shop.slug, {}, 'https://lamps.example');
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://lamps.example');
    assert.equal(ok.json().look.position, 'left');
    // Another brand's list is its own.
    assert.equal((await session(other.slug, {}, 'https://lamps.example')).statusCode, 403);
    // Bad settings are refused with the field's path, and nothing changes.
    const bad = await sys.app.inject({
      method: 'PUT',
      url: '/v1/brand/widget',
      headers: { authorization: bearer(shop.secretKey) },
      payload: { allowed_origins: ['https://lamps.example/shop'] },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.path, /allowed_origins/);
  });

  test("a customer is identified only by the HMAC of their id with the brand's identity secret", async () => {
    const karen = await sys.shopper({ brands: [{ brand: shop, customerId: 'c-1' }] });
    const linked = await session(shop.slug, { customer_id: 'c-1', customer_hash: customerHash(identity, 'c-1') });
    assert.equal(linked.json().status, 'linked');
    const forged = await session(shop.slug, { customer_id: 'c-1', customer_hash: customerHash(identity, 'c-2') });
    assert.equal(forged.statusCode, 401);
    const wrongKey = await session(shop.slug, { customer_id: 'c-1', customer_hash: customerHash('wis_guess', 'c-1') });
    assert.equal(wrongKey.statusCode, 401);
    const unsigned = await session(shop.slug, { customer_id: 'c-1' });
    assert.equal(unsigned.statusCode, 401);
    const half = await session(shop.slug, { customer_hash: customerHash(identity, 'c-1') });
    assert.equal(half.json().status, 'anonymous', 'a hash alone identifies no one');
    const stranger = await session(shop.slug, { customer_id: 'c-9', customer_hash: customerHash(identity, 'c-9') });
    assert.equal(stranger.json().status, 'unlinked');

    // The session is for this brand's chat only: not another brand's, not the shopper's own API.
    const token = linked.json().token;
    const say = (brand: string) =>
      sys.app.inject({
        method: 'POST',
        url: `/v1/widget/${brand}/messages`,
        headers: { authorization: bearer(token) },
        payload: { text: 'hello' },
      });
    assert.equal((await say(shop.slug)).statusCode, 200);
    assert.equal((await say(other.slug)).statusCode, 401);
    assert.equal(
      (await sys.app.inject({ url: '/v1/me/profile', headers: { authorization: bearer(token) } })).statusCode,
      401,
    );
    const tampered = token.replace(/\.(.)/, (_: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    assert.equal(
      (
        await sys.app.inject({
          method: 'POST',
          url: `/v1/widget/${shop.slug}/messages`,
          headers: { authorization: bearer(tampered) },
          payload: { text: 'hello' },
        })
      ).statusCode,
      401,
    );
    const rows = await sys.ctx.db.query('SELECT count(*)::int AS n FROM conversation_messages WHERE person_id = $1', [
      karen.person.id,
    ]);
    assert.equal(rows.rows[0].n, 2);
  });

  test('consent from the widget: everyday scopes only; a special category stays on the Confidant page', async () => {
    await sys.shopper({ brands: [{ brand: shop, customerId: 'c-3' }] });
    const { token } = (
      await session(shop.slug, { customer_id: 'c-3', customer_hash: customerHash(identity, 'c-3') })
    ).json();
    const consent = (scope: string) =>
      sys.app.inject({
        method: 'POST',
        url: `/v1/widget/${shop.slug}/consent`,
        headers: { authorization: bearer(token) },
        payload: { scope, purpose: 'recommendations' },
      });
    assert.equal((await consent('profile.sizes')).statusCode, 200);
    assert.equal((await consent('profile.allergies')).statusCode, 403);
    const anon = (await session(shop.slug, {})).json().token;
    const r = await sys.app.inject({
      method: 'POST',
      url: `/v1/widget/${shop.slug}/consent`,
      headers: { authorization: bearer(anon) },
      payload: { scope: 'profile.sizes', purpose: 'recommendations' },
    });
    assert.equal(r.statusCode, 403, 'an anonymous visitor grants nothing');
  });
});
