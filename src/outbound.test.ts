/**
 * Webhook URLs a brand sets cannot reach loopback, link-local, private or reserved addresses (blind SSRF), neither
 * when set (`PUT /v1/brand/webhook`) nor when called (the filtering agent), unless the operator allows it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { bearer, testSystem, type TestSystem } from './testing/harness.js';
import { checkWebhookUrl, safePost } from './outbound.js';
import { deliverWebhook } from './messaging/index.js';

let sys: TestSystem;
let hits = 0;
let receiver: http.Server;
let port = 0;
before(async () => {
  delete process.env.CONFIDANT_ALLOW_PRIVATE_URLS;
  sys = await testSystem();
  receiver = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as { port: number }).port;
});
after(async () => {
  await sys?.close();
  await new Promise((r) => receiver?.close(r));
});

const REFUSED = [
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://127.0.0.1:8080/hook',
  'http://localhost/hook',
  'http://api.localhost/hook',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[fe80::1]/hook',
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://2130706433/hook', // 127.0.0.1 written as one number
  'http://0x7f.1/hook',
  'https://[fd00::1]/hook',
];

describe('webhook URLs', () => {
  test('loopback, link-local, private and reserved addresses are refused when set, and nothing is stored', async () => {
    const brand = await sys.brand();
    for (const url of REFUSED) {
      const r = await sys.app.inject({
        method: 'PUT',
        url: '/v1/brand/webhook',
        headers: { authorization: bearer(brand.secretKey) },
        payload: { url },
      });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.equal(r.json().error.path, '/body/url', url);
      assert.match(r.json().error.message, /loopback, link-local or private/, url);
    }
    const stored = await sys.ctx.db.query('SELECT webhook_url FROM brands WHERE id = $1', [brand.id]);
    assert.equal(stored.rows[0].webhook_url, null);
  });

  test('a public address is accepted; a name that does not resolve now is left to the agent', async () => {
    const brand = await sys.brand();
    for (const url of ['https://93.184.215.14/hooks', 'https://hooks.invalid/confidant']) {
      const r = await sys.app.inject({
        method: 'PUT',
        url: '/v1/brand/webhook',
        headers: { authorization: bearer(brand.secretKey) },
        payload: { url },
      });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      assert.equal(r.json().url, url);
    }
  });

  test('the operator setting allows private addresses for development', async () => {
    await assert.rejects(checkWebhookUrl(`http://127.0.0.1:${port}/`, '/body/url'), /private/);
    process.env.CONFIDANT_ALLOW_PRIVATE_URLS = '1';
    try {
      assert.equal((await checkWebhookUrl(`http://127.0.0.1:${port}/`, '/body/url')).port, String(port));
    } finally {
      delete process.env.CONFIDANT_ALLOW_PRIVATE_URLS;
    }
  });

  test('calls go through the filtering agent: an address refused, a name resolving to loopback refused too', async () => {
    const before = hits;
    await assert.rejects(safePost(`http://127.0.0.1:${port}/`, '{}', {}), /not allowed.*private IP/);
    await assert.rejects(safePost(`http://localhost:${port}/`, '{}', {}), /not allowed.*private IP/);
    assert.equal(hits, before, 'nothing reached the receiver');
    assert.deepEqual(await safePost(`http://localhost:${port}/`, '{}', {}, { allowPrivate: true }), { status: 204 });
    assert.equal(hits, before + 1);
  });

  test('a URL stored before this check (or rebound since) is not called on erasure', async () => {
    const brand = await sys.brand();
    await sys.ctx.db.query(`UPDATE brands SET webhook_url = $2, webhook_secret = 'whsec_AAAA' WHERE id = $1`, [
      brand.id,
      `http://127.0.0.1:${port}/hooks`,
    ]);
    const before = hits;
    await assert.rejects(
      deliverWebhook(sys.ctx, { brand_id: brand.id, webhook_id: 'msg_1', body: '{}' }),
      /not allowed.*private IP/,
    );
    assert.equal(hits, before, 'the job fails (and is retried) without calling the address');
  });
});
