/**
 * The rules, one by one: quiet hours held and released in the person's zone (near midnight, across DST changes),
 * caps per calendar day in the person's zone, the person's preferred channel, and the creepiness guard.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stateFact, putGrant } from '../gatekeeper/testing.js';
import { bearer } from '../testing/harness.js';
import { quietUntil, calendarStarts } from './calendar.js';
import { trustLevel } from './trust.js';
import { messagingWorld, type MessagingWorld } from './testing.js';

let w: MessagingWorld;
before(async () => {
  w = await messagingWorld(new Date('2026-06-10T12:00:00Z'));
});
after(async () => {
  await w.close();
});

const at = (iso: string) => {
  w.clock.at = new Date(iso);
};
const drain = async () => {
  while ((await w.deliver()) > 0);
};
const settings = (token: string, body: object) =>
  w.sys.app.inject({
    method: 'PUT',
    url: '/v1/me/contact-settings',
    headers: { authorization: bearer(token) },
    payload: body,
  });

describe('quiet hours in the person’s zone', () => {
  test('the window is read in the zone: near midnight, and on both DST changes', () => {
    const q = { start: 21 * 60, end: 8 * 60 };
    // 22:30 in New York on June 9 is 02:30 UTC on June 10: quiet until 08:00 EDT.
    assert.equal(
      quietUntil(new Date('2026-06-10T02:30:00Z'), 'America/New_York', q)?.toISOString(),
      '2026-06-10T12:00:00.000Z',
    );
    // 23:30 in Tokyo is still June 10 in UTC: quiet until 08:00 JST on June 11.
    assert.equal(
      quietUntil(new Date('2026-06-10T14:30:00Z'), 'Asia/Tokyo', q)?.toISOString(),
      '2026-06-10T23:00:00.000Z',
    );
    // 20:59 in Tokyo is not quiet, though it is 11:59 UTC.
    assert.equal(quietUntil(new Date('2026-06-10T11:59:00Z'), 'Asia/Tokyo', q), null);
    // Berlin springs forward in the night of March 28-29, 2026: 08:00 CEST is 06:00 UTC, not 07:00.
    assert.equal(
      quietUntil(new Date('2026-03-28T21:30:00Z'), 'Europe/Berlin', q)?.toISOString(),
      '2026-03-29T06:00:00.000Z',
    );
    // New York falls back in the night of October 31 - November 1: 08:00 EST is 13:00 UTC.
    assert.equal(
      quietUntil(new Date('2026-11-01T02:00:00Z'), 'America/New_York', q)?.toISOString(),
      '2026-11-01T13:00:00.000Z',
    );
    // A window within the day, and none.
    assert.equal(
      quietUntil(new Date('2026-06-10T13:00:00Z'), 'UTC', { start: 12 * 60, end: 14 * 60 })?.toISOString(),
      '2026-06-10T14:00:00.000Z',
    );
    assert.equal(quietUntil(new Date('2026-06-10T13:00:00Z'), 'UTC', { start: 0, end: 0 }), null);
    // The calendar day and week start where the zone says (Monday), also across a DST change.
    const c = calendarStarts(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    assert.equal(c.day.toISOString(), '2026-03-28T23:00:00.000Z');
    assert.equal(c.nextDay.toISOString(), '2026-03-29T22:00:00.000Z');
    assert.equal(c.week.toISOString(), '2026-03-22T23:00:00.000Z');
  });

  test('a message in quiet hours is held, not dropped, and goes when the window ends (DST day, Berlin)', async () => {
    const s = await w.shopper({ timeZone: 'Europe/Berlin', marketing: true });
    at('2026-03-28T21:30:00Z'); // 22:30 CET on Saturday
    const r = await w.post({ person: s.pid, purpose: 'transactional', channel: 'email', text: 'Your order shipped' });
    assert.equal(r.json.state, 'held');
    assert.equal(r.json.held_until, '2026-03-29T06:00:00.000Z');
    const st = await w.get(r.json.id);
    assert.equal(st.state, 'held');
    assert.equal(st.held_until, '2026-03-29T06:00:00.000Z');
    assert.match(
      st.decisions.find((d: { rule: string }) => d.rule === 'quiet_hours').reason,
      /21:00-08:00 Europe\/Berlin/,
    );
    at('2026-03-29T05:59:00Z');
    await drain();
    assert.equal((await w.get(r.json.id)).state, 'held');
    at('2026-03-29T06:00:00Z');
    await drain();
    const sent = await w.get(r.json.id);
    assert.equal(sent.state, 'sent');
    assert.equal(sent.sent_at, '2026-03-29T06:00:00.000Z');
  });

  test('quiet hours are the person’s to change', async () => {
    at('2026-06-10T14:30:00Z'); // 23:30 in Tokyo
    const s = await w.shopper({ timeZone: 'Asia/Tokyo', marketing: true });
    const held = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'Late offer' });
    assert.equal(held.json.state, 'held');
    assert.equal(held.json.held_until, '2026-06-10T23:00:00.000Z');
    const put = await settings(s.token, { quiet_hours: { start: '23:45', end: '06:30' } });
    assert.equal(put.statusCode, 200);
    assert.deepEqual(put.json().quiet_hours, { start: '23:45', end: '06:30' });
    const now = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', text: 'Late offer 2' });
    assert.equal(now.json.state, 'queued');
    const bad = await settings(s.token, { quiet_hours: { start: '25:00', end: '06:30' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '/body/quiet_hours/start');
  });
});

describe('frequency caps', () => {
  test('per brand and channel per calendar day in the person’s zone, counting only sends that go', async () => {
    const s = await w.shopper({ timeZone: 'Pacific/Auckland', marketing: true });
    await settings(s.token, { quiet_hours: { start: '00:00', end: '00:00' } });
    at('2026-06-10T11:00:00Z'); // 23:00 on June 10 in Auckland
    const offer = (text: string, channel = 'email') => w.post({ person: s.pid, purpose: 'marketing', channel, text });
    const refused = await w.post({ person: 'p_nope', purpose: 'marketing', text: 'x' });
    assert.equal(refused.status, 404);
    assert.equal((await offer('one')).json.state, 'queued');
    assert.equal((await offer('two')).json.state, 'queued');
    const third = await offer('three');
    assert.equal(third.json.state, 'suppressed');
    assert.equal(third.json.suppressed.rule, 'frequency_cap');
    assert.match(third.json.suppressed.reason, /cap 2 a day in Pacific\/Auckland/);
    // Another channel has its own cap; a suppressed message did not count.
    assert.equal((await offer('by webhook', 'webhook')).json.state, 'queued');
    // Still June 10 in UTC, but June 11 in Auckland: a new calendar day there.
    at('2026-06-10T12:30:00Z');
    assert.equal((await offer('four')).json.state, 'queued');
    // Transactional messages are exempt and marked so.
    for (const t of ['a', 'b', 'c']) {
      const r = await w.post({ person: s.pid, purpose: 'transactional', channel: 'email', text: `order ${t}` });
      assert.equal(r.json.state, 'queued');
    }
    await drain();
    const sent = await w.sys.ctx.db.query(
      `SELECT purpose, cap_exempt, count(*)::int AS n FROM messages WHERE person_id = $1 AND state = 'sent' GROUP BY 1, 2 ORDER BY 1`,
      [s.id],
    );
    assert.deepEqual(sent.rows, [
      { purpose: 'marketing', cap_exempt: false, n: 4 },
      { purpose: 'transactional', cap_exempt: true, n: 3 },
    ]);
  });
});

describe('channel choice', () => {
  test('when the brand lets Confidant choose, the person’s preferred channel; a stopped one is skipped', async () => {
    const s = await w.shopper({ marketing: true });
    at('2026-06-10T12:00:00Z');
    const dflt = await w.post({ person: s.pid, purpose: 'transactional', text: 'Shipped' });
    assert.equal(dflt.json.channel, 'email');
    await settings(s.token, { preferred_channel: 'chat' });
    const pref = await w.post({ person: s.pid, purpose: 'transactional', text: 'Shipped again' });
    assert.equal(pref.json.channel, 'chat');
    assert.match(
      (await w.get(pref.json.id)).decisions.find((d: { rule: string }) => d.rule === 'channel').reason,
      /preferred channel/,
    );
    const noMail = await w.shopper({ email: null });
    const none = await w.post({ person: noMail.pid, purpose: 'transactional', channel: 'email', text: 'x' });
    assert.equal(none.json.suppressed.rule, 'channel');
    assert.match(none.json.suppressed.reason, /no e-mail address/);
  });
});

describe('the creepiness guard', () => {
  test('a special-category fact without its grant is removed (a variant without it), or the message is not sent', async () => {
    const s = await w.shopper({ marketing: true });
    at('2026-06-10T12:00:00Z');
    await stateFact(w.sys, s.token, { kind: 'allergy', value: 'peanuts' });
    await stateFact(w.sys, s.token, { about: 'dad', kind: 'like', value: 'fly fishing' });
    await putGrant(w.sys, s.token, { brand: w.brand.slug, scopes: ['gifts'], purposes: ['marketing'] });
    const template = {
      subject: 'Snacks for you',
      variants: ['As you are allergic to {{fact.allergy}}, try our nut-free bars', 'Try our new snack bars'],
    };
    const preview = await w.sys.app.inject({
      method: 'POST',
      url: '/v1/messages/preview',
      headers: { authorization: bearer(w.brand.secretKey) },
      payload: { person: s.pid, purpose: 'marketing', channel: 'email', template },
    });
    assert.equal(preview.statusCode, 200, preview.body);
    const p = preview.json();
    assert.equal(p.text, 'Try our new snack bars');
    assert.deepEqual(
      p.removed_facts.map((f: { ref: string; reason: string }) => [f.ref, f.reason]),
      [['fact.allergy', 'not_shared']],
    );
    assert.match(
      p.decision.rules.find((r: { rule: string }) => r.rule === 'guard').reason,
      /variant 2 sent without \{\{fact.allergy\}\}/,
    );
    const sent = await w.post({ person: s.pid, purpose: 'marketing', channel: 'email', template });
    assert.equal(sent.json.state, 'queued');
    const st = await w.get(sent.json.id);
    assert.equal(st.removed_facts[0].ref, 'fact.allergy');
    assert.ok(!JSON.stringify(st).includes('peanut'), 'the brand never sees the fact it may not use');

    const needs = await w.post({
      person: s.pid,
      purpose: 'marketing',
      channel: 'email',
      text: 'As you are allergic to {{fact.allergy}}, try our nut-free bars',
    });
    assert.equal(needs.json.state, 'suppressed');
    assert.equal(needs.json.suppressed.rule, 'guard');
    assert.match(needs.json.suppressed.reason, /every variant needs \{\{fact.allergy\}\}/);

    // A granted gift fact is used; the explicit allergy grant is not enough while trust is below medium.
    await putGrant(w.sys, s.token, { brand: w.brand.slug, scopes: ['profile.allergies'], purposes: ['marketing'] });
    const gift = await w.post({
      person: s.pid,
      purpose: 'marketing',
      channel: 'email',
      template: {
        variants: [
          'Your dad loves {{fact.like:dad}}, and you are allergic to {{fact.allergy}}',
          'Your dad loves {{fact.like:dad}}: new fly boxes are in',
        ],
      },
    });
    const g = await w.get(gift.json.id);
    const trust = await trustLevel(w.sys.ctx.db, s.id, w.brand.id);
    if (trust === 'new' || trust === 'low') {
      assert.equal(g.removed_facts[0].reason, 'trust');
      assert.match(g.removed_facts[0].explanation, /needs medium trust/);
      assert.deepEqual(
        g.kept_facts.map((f: { ref: string }) => f.ref),
        ['fact.like:dad'],
      );
    }
    await drain();
    const mail = w.mail.mails.filter((m) => m.to.includes(s.email)).map((m) => m.raw.replace(/=\r?\n/g, ''));
    assert.ok(mail.some((m) => m.includes('Your dad loves fly fishing: new fly boxes are in')));
    assert.ok(!mail.some((m) => m.includes('peanut')));
  });
});
