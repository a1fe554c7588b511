/** Campaigns: created with a template and a segment, sent at their time, counted by what became of each send. */
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { notFound } from '../errors.js';
import { personsGranting } from '../gatekeeper/grants.js';
import { type MessageChannel, sendMessage } from '../messaging/index.js';
import { matchSegment, type Segment } from './segment.js';

export interface Template {
  subject?: string;
  variants: string[];
}

export interface Campaign {
  id: string;
  brandId: number;
  name: string;
  purpose: 'marketing' | 'service';
  channel: MessageChannel | null;
  template: Template;
  segment: Segment;
  sendAt: Date;
  state: 'scheduled' | 'sending' | 'sent' | 'cancelled';
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLUMNS = `campaign_id AS id, brand_id AS "brandId", name, purpose, channel, template, segment, send_at AS "sendAt",
  state, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

export async function createCampaign(
  db: Queryable,
  brandId: number,
  c: Pick<Campaign, 'name' | 'purpose' | 'channel' | 'template' | 'segment' | 'sendAt'>,
  now: Date,
): Promise<Campaign> {
  const r = await db.query(
    `INSERT INTO campaigns (brand_id, name, purpose, channel, template, segment, send_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [brandId, c.name, c.purpose, c.channel, JSON.stringify(c.template), JSON.stringify(c.segment), c.sendAt, now],
  );
  return r.rows[0];
}

export async function campaignOf(db: Queryable, brandId: number, id: string): Promise<Campaign> {
  const r = await db.query(`SELECT ${COLUMNS} FROM campaigns WHERE brand_id = $1 AND campaign_id = $2`, [brandId, id]);
  if (!r.rowCount) throw notFound(`campaign ${id}`);
  return r.rows[0];
}

export async function campaignsOf(db: Queryable, brandId: number): Promise<Campaign[]> {
  return (
    await db.query(`SELECT ${COLUMNS} FROM campaigns WHERE brand_id = $1 ORDER BY created_at DESC, campaign_id`, [
      brandId,
    ])
  ).rows;
}

export interface Counts {
  /** persons the segment selected and a message was decided for */
  recipients: number;
  /** accepted by the messaging room to go out now (queued in its outbox) */
  sent: number;
  /** held for quiet hours, sent when they end */
  held: number;
  /** not sent, by the rule that stopped it (consent, opt_out, frequency_cap, guard...) */
  suppressed: Record<string, number>;
}

export async function countsOf(db: Queryable, ids: string[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>(ids.map((id) => [id, { recipients: 0, sent: 0, held: 0, suppressed: {} }]));
  if (ids.length === 0) return out;
  const r = await db.query(
    `SELECT campaign_id AS id, state, rule, count(*)::int AS n FROM campaign_recipients WHERE campaign_id = ANY($1::uuid[])
     GROUP BY campaign_id, state, rule`,
    [ids],
  );
  for (const x of r.rows) {
    const c = out.get(x.id)!;
    c.recipients += x.n;
    if (x.state === 'queued') c.sent += x.n;
    else if (x.state === 'held') c.held += x.n;
    else c.suppressed[x.rule ?? 'unknown'] = (c.suppressed[x.rule ?? 'unknown'] ?? 0) + x.n;
  }
  return out;
}

/** The persons a campaign may consider: linked to the brand; with a facts filter, only those who granted the purpose. */
async function candidates(db: Queryable, c: Campaign, now: Date): Promise<string[]> {
  const r = await db.query(
    `SELECT DISTINCT person_id FROM brand_customers WHERE brand_id = $1 AND confirmed_at IS NOT NULL ORDER BY person_id`,
    [c.brandId],
  );
  const linked: string[] = r.rows.map((x) => x.person_id);
  if (!c.segment.facts?.length) return linked;
  const granting = new Set(await personsGranting(db, c.brandId, c.purpose, now));
  return linked.filter((p) => granting.has(p));
}

/**
 * Sends a campaign that is due: each person of the segment once (a run that stopped half way goes on where it was;
 * the messaging room's key per campaign and person makes a repeated send a replay). Returns the counts.
 */
export async function runCampaign(
  ctx: Pick<AppContext, 'db' | 'log'>,
  brandId: number,
  id: string,
  now: Date,
): Promise<Counts | null> {
  const started = await ctx.db.query(
    `UPDATE campaigns SET state = 'sending', started_at = coalesce(started_at, $3)
     WHERE brand_id = $1 AND campaign_id = $2 AND state IN ('scheduled', 'sending') AND send_at <= $3 RETURNING campaign_id`,
    [brandId, id, now],
  );
  if (!started.rowCount) return null;
  const c = await campaignOf(ctx.db, brandId, id);
  const done = new Set(
    (await ctx.db.query('SELECT person_id FROM campaign_recipients WHERE campaign_id = $1', [id])).rows.map(
      (x) => x.person_id as string,
    ),
  );
  for (const personId of await candidates(ctx.db, c, now)) {
    if (done.has(personId)) continue;
    const match = await matchSegment({ db: ctx.db, now: () => now }, brandId, personId, c.segment, c.purpose, now);
    if (!match.in_segment) continue;
    const answer = await sendMessage(
      ctx.db,
      {
        brandId,
        personId,
        purpose: c.purpose,
        ...(c.channel ? { channel: c.channel } : {}),
        template: { ...(c.template.subject ? { subject: c.template.subject } : {}), variants: c.template.variants },
        data: {},
        triggeredBy: `campaign:${id}`,
      },
      now,
    );
    await ctx.db.query(
      `INSERT INTO campaign_recipients (person_id, campaign_id, brand_id, message_id, state, rule, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [personId, id, brandId, answer.id, answer.state, answer.suppressed?.rule ?? null, now],
    );
  }
  await ctx.db.query(
    `UPDATE campaigns SET state = 'sent', finished_at = $3 WHERE brand_id = $1 AND campaign_id = $2 AND state = 'sending'`,
    [brandId, id, now],
  );
  return (await countsOf(ctx.db, [id])).get(id)!;
}
