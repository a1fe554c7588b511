/**
 * Sending from the brand's side: POST /v1/messages through consent and opt-outs to a real SMTP server and a real
 * webhook receiver; GET /v1/messages/{id}; one-click unsubscribe and a "stop" reply; idempotency.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { bearer } from '../testing/harness.js';
import { messagingWorld, type MessagingWorld } from './testing.js';

let w: MessagingWorld;
before(async () => {
  w = await messagingWorld(new Date('2026-06-10T12:00:00Z'));
});
after(async () => {
  await w.close();
});

const unfold = (raw: string) =>
  raw
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const mailsTo = (to: string) => w.mail.mails.filter((m) => m.to.includes(to)).map((m) => unfold(m.raw));

describe('consent and e-mail', () => {
  test('marketing without the person’s grant is suppressed, with the rule and reason', async () => {
    const s = await w.shopper();
    const r = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'New headphones are in!' });
    assert.equal(r.status, 202);
    assert.equal(r.json.state, 'suppressed');
    assert.equal(r.json.suppressed.rule, 'consent');
    assert.match(r.json.suppressed.reason, /has not allowed Volt to contact them for marketing/);
    assert.equal(await w.deliver(), 0);
    assert.equal(mailsTo(s.email).length, 0);
    const state = await w.get(r.json.id);
    assert.equal(state.state, 'suppressed');
    assert.deepEqual(
      state.decisions.map((d: { rule: string }) => d.rule),
      ['idempotency', 'consent'],
    );
  });

  test('with the grant, a marketing e-mail goes out once with RFC 8058 one-click unsubscribe and a visible link', async () => {
    const s = await w.shopper({ marketing: true });
    const r = await w.post({
      person: s.pid,
      purpose: 'marketing',
      channel: 'email',
      text: 'Hi {{name}}, new headphones are in!',
      subject: 'New at Volt',
      data: { name: 'Karen' },
    });
    assert.equal(r.status, 202);
    assert.equal(r.json.state, 'queued');
    assert.equal(await w.deliver(), 1);
    const [raw] = mailsTo(s.email);
    assert.ok(raw, 'the SMTP server got it');
    assert.match(raw, /Subject: New at Volt/);
    assert.match(raw, /Hi Karen, new headphones are in!/);
    assert.match(raw, new RegExp(`Message-ID: <${r.json.id}@confidant>`, 'i'));
    const header = /List-Unsubscribe: <(http[^>]+)>/i.exec(raw);
    assert.ok(header, raw);
    assert.match(raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/i);
    assert.ok(raw.includes(`Unsubscribe: ${header[1]}`), 'the same link is visible in the text');
    const state = await w.get(r.json.id);
    assert.equal(state.state, 'sent');
    assert.match(state.provider_id, /250/);
    assert.equal(await w.deliver(), 0, 'nothing is sent twice');
    assert.equal(mailsTo(s.email).length, 1);

    // One click, as a mail client does it: a POST with List-Unsubscribe=One-Click.
    const url = new URL(header[1]);
    const page = await w.sys.app.inject({ url: url.pathname });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post">/);
    const click = await w.sys.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(click.statusCode, 200);
    assert.match(click.body, /No more e-mails from Volt/);
    const again = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'Another offer' });
    assert.equal(again.json.state, 'suppressed');
    assert.equal(again.json.suppressed.rule, 'opt_out');
    const forged = await w.sys.app.inject({ method: 'POST', url: `${url.pathname.slice(0, -3)}abc` });
    assert.equal(forged.statusCode, 404);
    // Transactional mail has no unsubscribe header; with e-mail stopped it is not sent either.
  });

  test('a reply saying "stop" opts out of that brand’s e-mail', async () => {
    const s = await w.shopper({ marketing: true });
    const r = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'Sale on chargers' });
    await w.deliver();
    const raw = mailsTo(s.email)[0];
    const replyTo = /Reply-To: (\S+)/i.exec(raw)?.[1];
    assert.ok(replyTo);
    const ignored = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      payload: { to: replyTo, from: s.email, text: 'Thanks, when does it end?' },
    });
    assert.equal(ignored.json().action, 'ignored');
    const stop = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      payload: { to: replyTo, from: s.email, text: 'STOP\n\nOn Tue, Volt wrote:\n> Sale on chargers' },
    });
    assert.equal(stop.json().action, 'opted_out');
    const next = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'More chargers' });
    assert.equal(next.json.suppressed.rule, 'opt_out');
    assert.match(next.json.suppressed.reason, /said stop to e-mail from Volt/);
    assert.ok(r.json.id);
  });

  test('service answers the person’s own question only', async () => {
    const s = await w.shopper();
    const cold = await w.post({ person: s.pid, purpose: 'service', channel: 'email', text: 'About your question' });
    assert.equal(cold.json.suppressed.rule, 'consent');
    const asked = await w.sys.app.inject({
      method: 'POST',
      url: `/v1/conversations/${w.brand.slug}/messages`,
      headers: { authorization: bearer(s.token) },
      payload: { text: 'do you have a travel charger?' },
    });
    assert.equal(asked.statusCode, 200);
    const reply = await w.post({ person: s.pid, purpose: 'service', channel: 'email', text: 'Yes, it is in stock' });
    assert.equal(reply.json.state, 'queued');
    const d = await w.get(reply.json.id);
    assert.ok(
      d.decisions.some((x: { rule: string; outcome: string }) => x.rule === 'frequency_cap' && x.outcome === 'exempt'),
    );
  });
});

describe('webhooks', () => {
  test('a receiver that fails then succeeds gets exactly one delivery, signed per Standard Webhooks, with backoff', async () => {
    const s = await w.shopper();
    while ((await w.deliver()) > 0); // what earlier tests left
    w.hooks.plan.push(500, 503);
    const before = w.hooks.got.length;
    const r = await w.post({ person: s.pid, purpose: 'transactional', channel: 'webhook', text: 'Your order shipped' });
    assert.equal(r.json.state, 'queued');
    assert.equal(await w.deliver(), 1);
    let st = await w.get(r.json.id);
    assert.equal(st.state, 'failed');
    assert.equal(st.attempts, 1);
    assert.match(st.last_error, /HTTP 500/);
    assert.equal(await w.deliver(), 0, 'not before its backoff');
    w.clock.at = new Date(w.clock.at.getTime() + 1000);
    assert.equal(await w.deliver(), 1);
    st = await w.get(r.json.id);
    assert.equal(st.state, 'failed');
    assert.equal(st.attempts, 2);
    w.clock.at = new Date(w.clock.at.getTime() + 1500);
    assert.equal(await w.deliver(), 0, 'the second wait is twice the first');
    w.clock.at = new Date(w.clock.at.getTime() + 600);
    assert.equal(await w.deliver(), 1);
    st = await w.get(r.json.id);
    assert.equal(st.state, 'sent');
    assert.equal(st.attempts, 3);
    assert.equal(await w.deliver(), 0);
    const mine = w.hooks.got.slice(before);
    assert.deepEqual(
      mine.map((g) => g.status),
      [500, 503, 200],
    );
    assert.equal(new Set(mine.map((g) => g.headers['webhook-id'])).size, 1, 'one id across retries');
    const ok = mine.filter((g) => g.status === 200);
    assert.equal(ok.length, 1, 'exactly one delivery accepted');
    const h = ok[0].headers;
    const body = ok[0].body.toString();
    const expected = new Webhook(w.webhookSecret).sign(
      String(h['webhook-id']),
      new Date(Number(h['webhook-timestamp']) * 1000),
      body,
    );
    assert.equal(h['webhook-signature'], expected);
    const payload = JSON.parse(body);
    assert.equal(payload.type, 'message.send');
    assert.equal(payload.data.person, s.pid);
    assert.equal(payload.data.text, 'Your order shipped');
    assert.equal(st.cap_exempt, true, 'transactional is marked exempt from caps');
  });
});

describe('idempotency', () => {
  test('same key and body replays; another body is 422; the same key in flight is 409', async () => {
    const s = await w.shopper({ marketing: true });
    const body = { person: s.pid, purpose: 'marketing', channel: 'email', text: 'Once only' };
    const first = await w.post(body, { 'idempotency-key': 'campaign-7-karen' });
    assert.equal(first.status, 202);
    const again = await w.post(body, { 'idempotency-key': 'campaign-7-karen' });
    assert.equal(again.status, 202);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.replayed, true);
    const other = await w.post({ ...body, text: 'Twice?' }, { 'idempotency-key': 'campaign-7-karen' });
    assert.equal(other.status, 422);
    assert.equal(other.json.error.code, 'unprocessable');
    const n = await w.sys.ctx.db.query('SELECT count(*)::int AS n FROM messages WHERE person_id = $1', [s.id]);
    assert.equal(n.rows[0].n, 1);
    // A request with the key still deciding holds its lock: the same key meanwhile is a 409.
    const crypto = await import('node:crypto');
    const h = crypto.createHash('sha256').update(`${w.brand.id}\0in-flight-key`).digest();
    const holder = await w.sys.ctx.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [h.readInt32BE(0), h.readInt32BE(4)]);
      const busy = await w.post(body, { 'idempotency-key': 'in-flight-key' });
      assert.equal(busy.status, 409);
      assert.equal(busy.json.error.code, 'conflict');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const afterwards = await w.post(body, { 'idempotency-key': 'in-flight-key' });
    assert.equal(afterwards.status, 202);
    // A key derived from the trigger: the same trigger for the same person is one message.
    const t1 = await w.post({ ...body, text: 'Shipped', purpose: 'transactional', triggeredBy: 'shipment:1:shipped' });
    const t2 = await w.post({ ...body, text: 'Shipped', purpose: 'transactional', triggeredBy: 'shipment:1:shipped' });
    assert.equal(t1.json.id, t2.json.id);
  });

  test('many sends at once never wait on each other for connections (more than the pool holds)', async () => {
    const s = await w.shopper({ marketing: true });
    const { sendMessage } = await import('./send.js');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        sendMessage(
          w.sys.ctx.db,
          { brandId: w.brand.id, personId: s.id, purpose: 'marketing', channel: 'email', text: `Offer ${i}` },
          w.clock.at,
        ),
      ),
    );
    // Exactly the day's cap of them queued, however they raced; the rest suppressed by the cap.
    assert.equal(answers.filter((a) => a.state === 'queued').length, 2);
    assert.equal(answers.filter((a) => a.suppressed?.rule === 'frequency_cap').length, 38);
  });

  test('bad input is a 4xx with the field path, and nothing is written', async () => {
    const s = await w.shopper({ marketing: true });
    const count = async () =>
      (await w.sys.ctx.db.query('SELECT count(*)::int AS n FROM messages WHERE person_id = $1', [s.id])).rows[0].n;
    for (const [body, path] of [
      [{ person: s.pid, purpose: 'marketing' }, '/body'],
      [{ person: s.pid, purpose: 'marketing', text: 'a', template: { variants: ['b'] } }, '/body/template'],
      [{ person: s.pid, purpose: 'nagging', text: 'a' }, '/body/purpose'],
      [{ person: s.pid, purpose: 'marketing', channel: 'fax', text: 'a' }, '/body/channel'],
      [{ person: s.pid, purpose: 'marketing', text: 'Hi {{name}}' }, '/body/text'],
      [{ person: 'p_nobody', purpose: 'marketing', text: 'a' }, '/body/person'],
    ] as const) {
      const r = await w.post(body);
      assert.ok(r.status === 400 || r.status === 404, `${JSON.stringify(body)}: ${r.status}`);
      assert.equal(r.json.error.path, path, JSON.stringify(r.json));
    }
    const noAuth = await w.sys.app.inject({ method: 'POST', url: '/v1/messages', payload: { person: s.pid } });
    assert.equal(noAuth.statusCode, 401);
    const other = await w.sys.brand('Other');
    const foreign = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: bearer(other.secretKey) },
      payload: { person: s.pid, purpose: 'transactional', text: 'hi' },
    });
    assert.equal(foreign.statusCode, 404, "another brand's pid is unknown");
    assert.equal(await count(), 0);
  });
});
