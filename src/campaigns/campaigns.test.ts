/**
 * Campaigns: one template to a segment (granted facts, recent activity, channel), previewed for one customer with what
 * the guard kept and removed, sent now or at a time as durable work, counted by what became of each send.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer } from '../testing/harness.js';
import { putGrant, stateFact } from '../gatekeeper/testing.js';
import { messagingWorld, type MessagingWorld } from '../messaging/testing.js';
import { runCampaign } from './index.js';
import { BACKGROUND, startBackground } from '../server/background.js';

const START = new Date('2026-06-10T12:00:00Z');
let w: MessagingWorld;
before(async () => {
  // Campaigns are run by hand here with the test's clock; the last test starts the job runner itself.
  w = await messagingWorld(START, { without: ['job runner'] });
});
after(async () => {
  await w.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely
type Json = Record<string, any>;
const call = async (method: 'GET' | 'POST', url: string, payload?: object, key = w.brand.secretKey) => {
  const r = await w.sys.app.inject({
    method,
    url,
    headers: { authorization: bearer(key) },
    ...(payload ? { payload } : {}),
  });
  return { status: r.statusCode, json: r.json() as Json };
};
const keto = { kind: 'diet', value: 'keto' };
const TEMPLATE = {
  subject: 'New at Volt',
  variants: ['Keto-friendly snacks are in, and we know you love {{fact.like}}.', 'Keto-friendly snacks are in.'],
};

async function people() {
  // Said keto and let Volt use diet (and likes) for marketing.
  const granted = await w.shopper({ marketing: true });
  await stateFact(w.sys, granted.token, keto);
  await stateFact(w.sys, granted.token, { kind: 'like', value: 'dark chocolate' });
  await putGrant(w.sys, granted.token, {
    brand: w.brand.slug,
    scopes: ['identity.contact', 'profile.diet', 'profile.likes'],
    purposes: ['marketing'],
  });
  // Said keto too, but Volt may use only the contact for marketing: keto is not Volt's to select on.
  const ungranted = await w.shopper({ marketing: true });
  await stateFact(w.sys, ungranted.token, keto);
  // Granted diet, but is vegan.
  const vegan = await w.shopper({ marketing: true });
  await stateFact(w.sys, vegan.token, { kind: 'diet', value: 'vegan' });
  await putGrant(w.sys, vegan.token, {
    brand: w.brand.slug,
    scopes: ['identity.contact', 'profile.diet'],
    purposes: ['marketing'],
  });
  return { granted, ungranted, vegan };
}

describe('campaigns', () => {
  test('a segment on a fact selects only those who granted it; the preview shows what the guard kept and removed', async () => {
    const { granted, ungranted, vegan } = await people();
    const created = await call('POST', '/v1/campaigns', {
      name: 'Keto launch',
      channel: 'email',
      template: TEMPLATE,
      segment: { facts: [keto] },
      send_at: new Date(START.getTime() + 86_400_000).toISOString(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id;
    assert.equal(created.json.state, 'scheduled');
    const job = await w.sys.ctx.db.query(`SELECT run_at FROM graphile_worker.jobs WHERE key = $1`, [`campaign:${id}`]);
    assert.equal(job.rows[0]?.run_at.toISOString(), created.json.send_at, 'a durable job waits for send_at');

    const preview = async (pid: string) => (await call('POST', `/v1/campaigns/${id}/preview`, { person: pid })).json;
    const p = await preview(granted.pid);
    assert.equal(p.in_segment, true);
    assert.deepEqual(p.matched, ['diet keto']);
    assert.equal(p.text, 'Keto-friendly snacks are in, and we know you love dark chocolate.');
    assert.deepEqual(
      p.kept_facts.map((f: Json) => f.ref),
      ['fact.like'],
    );
    assert.deepEqual(p.removed_facts, []);
    assert.equal(p.decision.state, 'queued');

    const u = await preview(ungranted.pid);
    assert.equal(u.in_segment, false, 'an ungranted fact selects nobody');
    assert.deepEqual(u.missed, ['diet keto']);
    assert.equal(u.text, 'Keto-friendly snacks are in.', 'the guard sends the variant without what is not shared');
    assert.deepEqual(
      u.removed_facts.map((f: Json) => [f.ref, f.reason]),
      [['fact.like', 'not_shared']],
    );
    assert.equal((await preview(vegan.pid)).in_segment, false);
    const unknown = await call('POST', `/v1/campaigns/${id}/preview`, { person: 'p_nobody' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.path, '/body/person');

    // Not before its time; then once, to the granted keto shopper only.
    assert.equal(await runCampaign(w.sys.ctx, w.brand.id, id, START), null);
    const counts = await runCampaign(w.sys.ctx, w.brand.id, id, new Date(START.getTime() + 86_400_000));
    assert.deepEqual(counts, { recipients: 1, sent: 1, held: 0, suppressed: {} });
    assert.deepEqual(
      await runCampaign(w.sys.ctx, w.brand.id, id, new Date(START.getTime() + 86_400_000 + 60_000)),
      null,
      'a sent campaign does not send again',
    );
    const to = (
      await w.sys.ctx.db.query('SELECT person_id FROM campaign_recipients WHERE campaign_id = $1', [id])
    ).rows.map((r) => r.person_id);
    assert.deepEqual(to, [granted.id]);
    const got = await call('GET', `/v1/campaigns/${id}`);
    assert.equal(got.json.state, 'sent');
    assert.deepEqual(got.json.counts, { recipients: 1, sent: 1, held: 0, suppressed: {} });
    // The segment's reads are in each considered person's activity, as a campaign selection.
    const audit = await w.sys.ctx.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE person_id = $1 AND action = 'select_for_campaign'`,
      [granted.id],
    );
    assert.ok(audit.rows[0].n >= 1);
  });

  test('counts by rule: activity and channel segments; consent and opt-outs suppress, recorded per rule', async () => {
    const active = await w.shopper({ marketing: true });
    const noConsent = await w.shopper();
    const stopped = await w.shopper({ marketing: true });
    const idle = await w.shopper({ marketing: true });
    for (const s of [active, noConsent, stopped]) {
      const customer = (
        await w.sys.ctx.db.query('SELECT external_id FROM brand_customers WHERE person_id = $1', [s.id])
      ).rows[0].external_id;
      const r = await w.sys.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { authorization: `Basic ${Buffer.from(`${w.brand.writeKey}:`).toString('base64')}` },
        payload: {
          userId: customer,
          event: 'Product Viewed',
          properties: { product_id: 'X' },
          timestamp: new Date(START.getTime() - 3_600_000).toISOString(),
          messageId: `view-${s.id}`,
        },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    await w.sys.ctx.db.query(
      `INSERT INTO contact_preferences (person_id, brand_id, channel, opted_out_at, how, updated_at) VALUES ($1, $2, 'all', $3, 'page', $3)`,
      [stopped.id, w.brand.id, START],
    );
    const c = await call('POST', '/v1/campaigns', {
      name: 'Viewers',
      channel: 'email',
      template: { variants: ['Still looking? We saved it for you.'] },
      segment: { activity: { event: 'Product Viewed', within_days: 7 } },
    });
    assert.equal(c.status, 201);
    const counts = await runCampaign(w.sys.ctx, w.brand.id, c.json.id, START);
    assert.deepEqual(counts, { recipients: 3, sent: 1, held: 0, suppressed: { consent: 1, opt_out: 1 } });
    const listed = await call('GET', '/v1/campaigns');
    const mine = listed.json.campaigns.find((x: Json) => x.id === c.json.id);
    assert.deepEqual(mine.counts, counts);
    void idle;

    // The same segment, but only those reachable by e-mail: the one who said stop is left out.
    const reach = await call('POST', '/v1/campaigns', {
      name: 'Viewers by mail',
      template: { variants: ['Still looking?'] },
      segment: { activity: { event: 'Product Viewed', within_days: 7 }, channel: 'email' },
    });
    const r2 = await runCampaign(w.sys.ctx, w.brand.id, reach.json.id, START);
    assert.equal(r2?.recipients, 2);
  });

  test('bad input is refused with its path and nothing is stored; another brand sees no campaign', async () => {
    const before = (await w.sys.ctx.db.query('SELECT count(*)::int AS n FROM campaigns')).rows[0].n;
    for (const [body, path] of [
      [{ name: 'x', template: { variants: [] }, segment: {} }, '/body/template/variants'],
      [
        { name: 'x', template: { variants: ['hi'] }, segment: { facts: [{ kind: 'diet', colour: 'red' }] } },
        '/body/segment/facts/0',
      ],
      [{ name: 'x', template: { variants: ['hi'] }, segment: {}, send_at: 'tomorrow' }, '/body/send_at'],
      [
        { name: 'x', template: { variants: ['hi'] }, segment: { activity: { within_days: 0 } } },
        '/body/segment/activity/within_days',
      ],
    ] as const) {
      const r = await call('POST', '/v1/campaigns', body);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error.path, path);
    }
    assert.equal((await w.sys.ctx.db.query('SELECT count(*)::int AS n FROM campaigns')).rows[0].n, before);
    const c = await call('POST', '/v1/campaigns', { name: 'Mine', template: { variants: ['hi'] }, segment: {} });
    const other = await w.sys.brand('Other');
    assert.equal((await call('GET', `/v1/campaigns/${c.json.id}`, undefined, other.secretKey)).status, 404);
    assert.equal((await call('GET', '/v1/campaigns/not-a-uuid')).status, 404);
    assert.deepEqual((await call('GET', '/v1/campaigns', undefined, other.secretKey)).json, { campaigns: [] });
  });

  test('sent by the job queue on its own: the campaign is due, a process runs the queue, every person once', async (t) => {
    const runner = await startBackground(
      w.sys.ctx,
      BACKGROUND.filter((x) => x.name === 'job runner'),
    );
    t.after(() => runner.stop());
    const s = await w.shopper({ marketing: true });
    const c = await call('POST', '/v1/campaigns', {
      name: 'Now',
      channel: 'email',
      template: { variants: ['Hello from Volt.'] },
      segment: {},
    });
    assert.equal(c.status, 201);
    let got: Json = {};
    for (let i = 0; i < 60 && got.state !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      got = (await call('GET', `/v1/campaigns/${c.json.id}`)).json;
    }
    assert.equal(got.state, 'sent');
    const mine = await w.sys.ctx.db.query(
      'SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND person_id = $2',
      [c.json.id, s.id],
    );
    assert.equal(mine.rows[0].n, 1);
  });
});
