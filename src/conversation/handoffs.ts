/**
 * "I want a human": a handoff a brand's operators list and answer. The operator sees the conversation that led to the
 * request, and the answer goes back to the thread where the shopper asked (the brand's chat, or their own Confidant).
 */
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { pseudonymFor } from '../people/people.js';
import { atLocalTime, localDate } from '../time.js';
import { addMessage } from './store.js';
import { clockPhrase, dayPhrase } from './wording.js';

/**
 * When a brand's people read handoffs. Brands have no support-hours setting yet (the brands room owns
 * settings), so every brand keeps these: weekdays 9 to 5, New York time.
 */
export const SUPPORT_HOURS = { timeZone: 'America/New_York', weekdays: [1, 2, 3, 4, 5], open: 9, close: 17 };

/** When a person will first see a handoff made at `now`: now (within hours), or the next opening. */
export function nextStaffedMoment(now: Date, hours = SUPPORT_HOURS): { staffedNow: boolean; at: Date; closesAt: Date } {
  for (let day = 0; day < 8; day++) {
    const d = localDate(new Date(now.getTime() + day * 86400000), hours.timeZone);
    if (!hours.weekdays.includes(d.weekday)) continue;
    const open = atLocalTime(now, hours.timeZone, day, hours.open);
    const close = atLocalTime(now, hours.timeZone, day, hours.close);
    if (now < close) return { staffedNow: now >= open, at: now >= open ? now : open, closesAt: close };
  }
  return { staffedNow: false, at: now, closesAt: now };
}

/** "today before 4 PM" or "on Monday after 9 AM", in the shopper's zone. */
export function whenSeenPhrase(now: Date, shopperTz: string, hours = SUPPORT_HOURS): string {
  const s = nextStaffedMoment(now, hours);
  if (s.staffedNow) return `${dayPhrase(s.closesAt, now, shopperTz)} before ${clockPhrase(s.closesAt, shopperTz)}`;
  return `${dayPhrase(s.at, now, shopperTz)} after ${clockPhrase(s.at, shopperTz)}`;
}

export interface Handoff {
  id: string;
  status: 'open' | 'answered';
  request: string;
  created_at: Date;
  answered_at: Date | null;
}

/** Opens a handoff, or returns the one already open for this shopper and brand (asking twice does not queue twice). */
export async function openHandoff(
  db: Queryable,
  h: { personId: string; brandId: number; request: string; now: Date; askedIn: number },
): Promise<{ handoff: Handoff; existed: boolean }> {
  const open = await db.query(
    `SELECT handoff_id AS id, status, request, created_at, answered_at FROM handoffs WHERE person_id = $1 AND brand_id = $2 AND status = 'open' LIMIT 1`,
    [h.personId, h.brandId],
  );
  if (open.rows[0]) return { handoff: open.rows[0], existed: true };
  const r = await db.query(
    `INSERT INTO handoffs (person_id, brand_id, request, created_at, asked_in) VALUES ($1, $2, $3, $4, $5) RETURNING handoff_id AS id, status, request, created_at, answered_at`,
    [h.personId, h.brandId, h.request, h.now, h.askedIn],
  );
  return { handoff: r.rows[0], existed: false };
}

export interface QueuedHandoff extends Handoff {
  /** The brand's pseudonymous id for the shopper, and its own customer id when the shopper linked it. */
  person: string;
  customer_id: string | null;
  /**
   * The conversation that led to the request (up to ten messages of the last half hour in the thread where the
   * shopper asked, the request last), then what followed in the brand's own chat; oldest first.
   */
  transcript: Array<{ role: string; text: string; at: string }>;
}

/** A brand's handoffs, oldest open first; only that brand's. */
export async function listHandoffs(
  ctx: Pick<AppContext, 'db' | 'secret'>,
  brandId: number,
  opts: { status: 'open' | 'answered' | 'all'; limit: number },
): Promise<QueuedHandoff[]> {
  const r = await ctx.db.query(
    `SELECT h.handoff_id AS id, h.status, h.request, h.created_at, h.answered_at, h.person_id,
       (SELECT bc.external_id FROM brand_customers bc WHERE bc.brand_id = h.brand_id AND bc.person_id = h.person_id AND bc.confirmed_at IS NOT NULL
         ORDER BY bc.created_at LIMIT 1) AS customer_id,
       COALESCE((SELECT json_agg(json_build_object('role', m.role, 'text', m.text, 'at', m.at) ORDER BY m.part, m.message_id)
         FROM (
           (SELECT 0 AS part, m.message_id, m.role, m.text, m.at FROM conversation_messages m
             WHERE m.person_id = h.person_id AND m.brand_id = COALESCE(h.asked_in, h.brand_id) AND m.role <> 'operator'
               AND m.at <= h.created_at AND m.at > h.created_at - interval '30 minutes'
             ORDER BY m.message_id DESC LIMIT 10)
           UNION ALL
           (SELECT 1 AS part, m.message_id, m.role, m.text, m.at FROM conversation_messages m
             WHERE m.person_id = h.person_id AND m.brand_id = h.brand_id AND COALESCE(h.asked_in, h.brand_id) = h.brand_id AND m.at > h.created_at
             ORDER BY m.message_id LIMIT 20)
         ) m), '[]') AS transcript
     FROM handoffs h WHERE h.brand_id = $1 AND ($2 = 'all' OR h.status = $2)
     ORDER BY h.status = 'answered', h.created_at LIMIT $3`,
    [brandId, opts.status, opts.limit],
  );
  const out: QueuedHandoff[] = [];
  for (const row of r.rows) {
    const { person_id, ...rest } = row;
    out.push({ ...rest, person: await pseudonymFor(ctx.db, ctx.secret, person_id, brandId) });
  }
  return out;
}

/** An operator's answer: it joins the shopper's conversation with the brand, and the handoff is answered. */
export async function answerHandoff(
  db: Queryable,
  brandId: number,
  handoffId: string,
  text: string,
  now: Date,
): Promise<Handoff> {
  const r = await db.query(
    `UPDATE handoffs SET status = 'answered', answered_at = $3 WHERE brand_id = $1 AND handoff_id = $2
     RETURNING handoff_id AS id, status, request, created_at, answered_at, person_id, asked_in`,
    [brandId, handoffId, now],
  );
  if (!r.rows[0]) throw new AppError('not_found', `handoff "${handoffId}" not found`, '/params/id');
  const { person_id, asked_in, ...handoff } = r.rows[0];
  const thread = asked_in === null ? brandId : Number(asked_in);
  // In the shopper's own Confidant (many shops), the answer says which shop it is from.
  const from =
    thread === brandId ? '' : `${(await db.query('SELECT name FROM brands WHERE id = $1', [brandId])).rows[0].name}: `;
  await addMessage(db, { personId: person_id, brandId: thread, role: 'operator', text: `${from}${text}`, at: now });
  return handoff;
}
