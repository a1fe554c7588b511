/**
 * The chat and web push channels end to end: a message lands in the person's conversation with the brand, once;
 * a push arrives at a local push endpoint encrypted for the browser's keys (decrypted here with http_ece), signed
 * with the server's VAPID key, which is made once and kept.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
// @ts-expect-error: http_ece has no types
import ece from 'http_ece';
import { bearer } from '../testing/harness.js';
import { vapidKeys } from './channels/push.js';
import { messagingWorld, type MessagingWorld, receiver } from './testing.js';

let w: MessagingWorld;
let push: Awaited<ReturnType<typeof receiver>>;
before(async () => {
  w = await messagingWorld();
  push = await receiver();
});
after(async () => {
  await push.close();
  await w.close();
});
const drain = async () => {
  while ((await w.deliver()) > 0);
};

describe('chat', () => {
  test('a chat message is delivered into the person’s conversation with that brand, once', async () => {
    const s = await w.shopper();
    await w.sys.app.inject({
      method: 'POST',
      url: `/v1/conversations/${w.brand.slug}/messages`,
      headers: { authorization: bearer(s.token) },
      payload: { text: 'is the travel charger in stock?' },
    });
    const r = await w.post({ person: s.pid, purpose: 'service', channel: 'chat', text: 'It is back in stock today' });
    assert.equal(r.json.state, 'queued');
    await drain();
    await drain();
    const st = await w.get(r.json.id);
    assert.equal(st.state, 'sent');
    assert.match(st.provider_id, /^chat:\d+$/);
    const thread = await w.sys.app.inject({
      url: `/v1/conversations/${w.brand.slug}/messages`,
      headers: { authorization: bearer(s.token) },
    });
    assert.equal(thread.statusCode, 200, thread.body);
    const texts = (thread.json().messages as Array<{ text: string; role: string }>).map((m) => `${m.role}: ${m.text}`);
    assert.equal(texts.filter((t) => t === 'assistant: It is back in stock today').length, 1, texts.join('\n'));
    assert.equal(texts.at(-1), 'assistant: It is back in stock today');
  });
});

describe('web push', () => {
  test('the page subscribes; a push arrives encrypted for the browser and signed with the kept VAPID key', async () => {
    const s = await w.shopper();
    const key = await w.sys.app.inject({ url: '/v1/push/key' });
    assert.equal(key.statusCode, 200);
    const { publicKey } = key.json();
    assert.equal(publicKey, (await vapidKeys(w.sys.ctx.db)).publicKey, 'made once, kept in the database');
    // What a browser's PushManager.subscribe gives: a P-256 key pair and a 16-byte auth secret.
    const browser = crypto.createECDH('prime256v1');
    browser.generateKeys();
    const auth = crypto.randomBytes(16);
    const sub = {
      endpoint: `${push.url}/push/${crypto.randomBytes(8).toString('hex')}`,
      expirationTime: null,
      keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
    const put = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/me/push-subscriptions',
      headers: { authorization: bearer(s.token) },
      payload: sub,
    });
    assert.equal(put.statusCode, 201, put.body);
    const r = await w.post({ person: s.pid, purpose: 'transactional', channel: 'push', text: 'Your Sonicare shipped' });
    assert.equal(r.json.state, 'queued');
    await drain();
    const st = await w.get(r.json.id);
    assert.equal(st.state, 'sent', JSON.stringify(st));
    const got = push.got;
    assert.equal(got.length, 1);
    const req = got[0];
    assert.equal(req.headers['content-encoding'], 'aes128gcm');
    assert.match(String(req.headers.authorization), new RegExp(`^vapid t=[^,]+, k=${publicKey}$`));
    assert.equal(req.headers.topic, r.json.id.replace(/-/g, ''));
    const plain = ece.decrypt(req.body, {
      version: 'aes128gcm',
      privateKey: browser,
      authSecret: auth.toString('base64url'),
    });
    const payload = JSON.parse(plain.toString('utf8'));
    assert.equal(payload.body, 'Your Sonicare shipped');
    assert.equal(payload.message_id, r.json.id);
    // A subscription the push service says is gone is forgotten, and the message is dead, not retried forever.
    push.plan.push(410);
    const gone = await w.post({ person: s.pid, purpose: 'transactional', channel: 'push', text: 'Delivered' });
    await drain();
    const g = await w.get(gone.json.id);
    assert.equal(g.state, 'dead');
    const left = await w.sys.ctx.db.query('SELECT count(*)::int AS n FROM push_subscriptions WHERE person_id = $1', [
      s.id,
    ]);
    assert.equal(left.rows[0].n, 0);
    // The service worker the page registers is served.
    const sw = await w.sys.app.inject({ url: '/sw.js' });
    assert.equal(sw.statusCode, 200);
    assert.match(sw.body, /addEventListener\('push'/);
  });
});
