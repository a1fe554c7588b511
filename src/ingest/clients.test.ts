/**
 * Real clients against a real server on loopback: Segment's and RudderStack's Node SDKs, unmodified, and what
 * browsers send (text/plain JSON with the write key in the body, sendBeacon's types, CORS preflight), gzip and deflate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { Analytics as Segment } from '@segment/analytics-node';
import Rudder from '@rudderstack/rudder-sdk-node';
import { basic, testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';

let sys: TestSystem;
let shop: NewBrandKeys;
let url: string;

before(async () => {
  sys = await testSystem();
  shop = await sys.brand();
  url = await sys.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await sys?.close();
});

const stored = async (messageIds: string[]) =>
  (
    await sys.ctx.db.query(
      `SELECT e.message_id, e.type, e.event, bc.external_id FROM events e
       LEFT JOIN brand_customers bc ON bc.brand_id = e.brand_id AND bc.person_id = e.person_id
       WHERE e.brand_id = $1 AND e.message_id = ANY($2) ORDER BY e.message_id`,
      [shop.id, messageIds],
    )
  ).rows;

describe('the SDKs, unmodified', () => {
  test("Segment's analytics-node: identify, track and page arrive and are stored", async () => {
    const errors: unknown[] = [];
    const analytics = new Segment({ writeKey: shop.writeKey, host: url, flushAt: 3, maxRetries: 0 });
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId: 'seg-1', traits: { plan: 'gold' }, messageId: 'seg-m1' });
    analytics.track({
      userId: 'seg-1',
      event: 'Product Viewed',
      properties: { product_id: 'SKU-1' },
      messageId: 'seg-m2',
    });
    analytics.page({ anonymousId: 'anon-seg', name: 'Home', messageId: 'seg-m3' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    const rows = await stored(['seg-m1', 'seg-m2', 'seg-m3']);
    assert.deepEqual(
      rows.map((r) => [r.message_id, r.type, r.event, r.external_id]),
      [
        ['seg-m1', 'identify', null, 'seg-1'],
        ['seg-m2', 'track', 'Product Viewed', 'seg-1'],
        ['seg-m3', 'page', 'Home', 'anon:anon-seg'],
      ],
    );
    console.log(`# Segment analytics-node: 3 calls sent, ${rows.length} stored, ${errors.length} errors`);
  });

  test("RudderStack's rudder-sdk-node (gzip, labelled form-urlencoded): the batch arrives and is stored", async () => {
    const errors: unknown[] = [];
    const client = new Rudder(shop.writeKey, {
      dataPlaneUrl: url,
      flushAt: 10,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (e: unknown) => errors.push(e),
    });
    client.identify({ userId: 'rud-1', traits: { plan: 'silver' }, messageId: 'rud-m1' } as never);
    client.track({
      userId: 'rud-1',
      event: 'Product Added',
      properties: { sku: 'SKU-2' },
      messageId: 'rud-m2',
    } as never);
    client.page({ anonymousId: 'anon-rud', name: 'Cart', messageId: 'rud-m3' } as never);
    await client.flush();
    assert.deepEqual(errors, []);
    const rows = await stored(['rud-m1', 'rud-m2', 'rud-m3']);
    assert.deepEqual(
      rows.map((r) => [r.message_id, r.type, r.event, r.external_id]),
      [
        ['rud-m1', 'identify', null, 'rud-1'],
        ['rud-m2', 'track', 'Product Added', 'rud-1'],
        ['rud-m3', 'page', 'Cart', 'anon:anon-rud'],
      ],
    );
    console.log(`# RudderStack rudder-sdk-node: 3 calls sent, ${rows.length} stored, ${errors.length} errors`);
  });
});

const send = (path: string, body: Buffer | string, headers: Record<string, string>) =>
  fetch(`${url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
const event = (messageId: string, extra: object = {}) => ({
  userId: 'web-1',
  event: 'Product Viewed',
  messageId,
  ...extra,
});

describe('what browsers and HTTP clients send', () => {
  test('gzip and deflate bodies, under any label, are inflated', async () => {
    const json = JSON.stringify({ batch: [{ type: 'track', ...event('gz-1') }] });
    for (const [path, encoding, body, type] of [
      ['/v1/batch', 'gzip', zlib.gzipSync(json), 'application/json'],
      ['/v1/track', 'gzip', zlib.gzipSync(JSON.stringify(event('gz-2'))), 'application/x-www-form-urlencoded'],
      ['/v1/track', 'deflate', zlib.deflateSync(JSON.stringify(event('gz-3'))), 'text/plain'],
    ] as const) {
      const r = await send(path, body, {
        authorization: basic(shop.writeKey),
        'content-type': type,
        'content-encoding': encoding,
      });
      assert.equal(r.status, 200, `${encoding} ${type}: ${await r.text()}`);
    }
    assert.equal((await stored(['gz-1', 'gz-2', 'gz-3'])).length, 3);
    const broken = await send('/v1/track', Buffer.from('not gzip at all'), {
      authorization: basic(shop.writeKey),
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    });
    assert.equal(broken.status, 400);
    const br = await send('/v1/track', Buffer.from('x'), {
      authorization: basic(shop.writeKey),
      'content-encoding': 'compress',
    });
    assert.equal(br.status, 415);
  });

  test('a gzip bomb stops at the limit: the inflated body counts', async () => {
    const bomb = zlib.gzipSync(Buffer.from(`{"userId":"b","event":"E","properties":{"x":"${'a'.repeat(600_000)}"}}`));
    assert.ok(bomb.length < 32 * 1024);
    const r = await send('/v1/batch', bomb, {
      authorization: basic(shop.writeKey),
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(r.status, 413);
  });

  test("Segment's browser library: JSON as text/plain, the write key in the body, no Authorization header", async () => {
    const r = await send('/v1/track', JSON.stringify({ ...event('tp-1'), writeKey: shop.writeKey }), {
      'content-type': 'text/plain;charset=UTF-8',
    });
    assert.equal(r.status, 200, await r.text());
    const wrong = await send('/v1/track', JSON.stringify({ ...event('tp-2'), writeKey: 'wk_nope' }), {
      'content-type': 'text/plain',
    });
    assert.equal(wrong.status, 401);
    assert.equal((await stored(['tp-1', 'tp-2'])).length, 1);
  });

  test("sendBeacon: a Blob's type (or none), the key in the query", async () => {
    for (const [id, type] of [
      ['bc-1', 'application/octet-stream'],
      ['bc-2', ''],
      ['bc-3', 'application/x-www-form-urlencoded'],
    ]) {
      const r = await fetch(`${url}/v1/track?writeKey=${shop.writeKey}`, {
        method: 'POST',
        body: new Blob([JSON.stringify(event(id))], type ? { type } : {}),
      });
      assert.equal(r.status, 200, `${type}: ${await r.text()}`);
    }
    assert.equal((await stored(['bc-1', 'bc-2', 'bc-3'])).length, 3);
  });

  test('CORS: a preflight from a web page is answered on the tracking routes only, and the answer is readable', async () => {
    const preflight = await fetch(`${url}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const post = await fetch(`${url}/v1/track`, {
      method: 'POST',
      headers: {
        origin: 'https://shop.example',
        authorization: basic(shop.writeKey),
        'content-type': 'application/json',
      },
      body: JSON.stringify(event('cors-1')),
    });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('access-control-allow-origin'), '*');
    const other = await fetch(`${url}/v1/me/profile`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'no CORS outside tracking');
    const api = await fetch(`${url}/v1/catalog/products`, { headers: { origin: 'https://shop.example' } });
    assert.equal(api.headers.get('access-control-allow-origin'), null);
  });

  test('other routes still take JSON only (415), and every JSON body goes through the same checks', async () => {
    const r = await send('/v1/customers', 'customers=1', {
      authorization: `Bearer ${shop.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(r.status, 415);
    assert.equal((await r.json()).error.code, 'unsupported_media_type');
  });
});
