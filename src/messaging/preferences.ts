/**
 * How a person may be contacted: "stop" and "you can text me again" per channel, and the pause after abuse. Said
 * in chat (through the messaging front door), by an unsubscribe link or a reply; read by every send (`contactBlock`).
 * A stop and the abuse pause are kept apart: lifting the pause never lifts a stop the person said before.
 */
import type { Queryable } from '../db/pool.js';

/** brand_id 0: the shopper's own Confidant; a stop said there covers every brand. */
export const EVERY_BRAND = 0;
const OWN_CONFIDANT = EVERY_BRAND;

export const CHANNELS = ['email', 'push', 'sms', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];
export type ChannelOrAll = Channel | 'all';

/** The channels a message names ("no more emails" -> email); none named means every channel. */
export function channelsIn(text: string): ChannelOrAll[] {
  const t = text.toLowerCase();
  const found = new Set<ChannelOrAll>();
  if (/\b(e-?mails?|newsletters?|inbox)\b/.test(t)) found.add('email');
  if (/\b(texts?|texting|sms|txt|text messages?)\b/.test(t) || /\btext me\b/.test(t)) found.add('sms');
  if (/\b(push|notifications?|notifs?|alerts?)\b/.test(t)) found.add('push');
  if (/\b(chat messages?|in the chat|dms?|messenger)\b/.test(t)) found.add('chat');
  if (found.size === 0 || /\b(all|every|everything|any|anything)\b/.test(t)) return ['all'];
  return [...found];
}

const upsert = `INSERT INTO contact_preferences (person_id, brand_id, channel, opted_out_at, paused_for_abuse_at, how, updated_at)
  VALUES ($1, $2, $3, $4, NULL, $5, $6)
  ON CONFLICT (person_id, brand_id, channel) DO UPDATE SET opted_out_at = EXCLUDED.opted_out_at, how = EXCLUDED.how, updated_at = EXCLUDED.updated_at`;

export async function stopMessages(
  db: Queryable,
  personId: string,
  brandId: number,
  channels: ChannelOrAll[],
  how: string,
  now: Date,
) {
  for (const c of channels) await db.query(upsert, [personId, brandId, c, now, how, now]);
}

/**
 * Lifts a stop. Resuming one channel under an "all" stop keeps the others stopped: the "all" row is
 * replaced by one row per other channel. Returns whether a stop said in the shopper's own Confidant
 * (covering every brand) still applies.
 */
export async function resumeMessages(
  db: Queryable,
  personId: string,
  brandId: number,
  channels: ChannelOrAll[],
  how: string,
  now: Date,
): Promise<boolean> {
  const all = await db.query(
    `SELECT opted_out_at FROM contact_preferences WHERE person_id = $1 AND brand_id = $2 AND channel = 'all'`,
    [personId, brandId],
  );
  const allStoppedAt: Date | null = all.rows[0]?.opted_out_at ?? null;
  if (allStoppedAt && !channels.includes('all')) {
    for (const c of CHANNELS)
      if (!channels.includes(c)) await db.query(upsert, [personId, brandId, c, allStoppedAt, how, now]);
  }
  const lift = channels.includes('all') ? ['all', ...CHANNELS] : ['all', ...channels];
  await db.query(
    `UPDATE contact_preferences SET opted_out_at = NULL, how = $4, updated_at = $5 WHERE person_id = $1 AND brand_id = $2 AND channel = ANY($3)`,
    [personId, brandId, lift, how, now],
  );
  if (brandId === OWN_CONFIDANT) return false;
  const everywhere = await db.query(
    `SELECT 1 FROM contact_preferences WHERE person_id = $1 AND brand_id = $2 AND opted_out_at IS NOT NULL AND (channel = 'all' OR channel = ANY($3))`,
    [personId, OWN_CONFIDANT, channels],
  );
  return (everywhere.rowCount ?? 0) > 0;
}

/**
 * The person swore at a brand's assistant: marketing from that brand pauses (said in their own Confidant, from every
 * brand). Stops are untouched. Returns whether it was already paused.
 */
export async function pauseForAbuse(db: Queryable, personId: string, brandId: number, now: Date): Promise<boolean> {
  const before = await db.query(
    `SELECT 1 FROM contact_preferences WHERE person_id = $1 AND brand_id = $2 AND channel = 'all' AND paused_for_abuse_at IS NOT NULL`,
    [personId, brandId],
  );
  await db.query(
    `INSERT INTO contact_preferences (person_id, brand_id, channel, paused_for_abuse_at, how, updated_at) VALUES ($1, $2, 'all', $3, 'chat', $3)
     ON CONFLICT (person_id, brand_id, channel) DO UPDATE SET paused_for_abuse_at = COALESCE(contact_preferences.paused_for_abuse_at, EXCLUDED.paused_for_abuse_at),
       updated_at = EXCLUDED.updated_at`,
    [personId, brandId, now],
  );
  return (before.rowCount ?? 0) > 0;
}

/**
 * An apology (or asking for messages again) lifts that brand's abuse pause, and only it: a channel the person had
 * stopped stays stopped. Returns whether there was a pause.
 */
export async function liftAbusePause(db: Queryable, personId: string, brandId: number, now: Date): Promise<boolean> {
  const r = await db.query(
    `UPDATE contact_preferences SET paused_for_abuse_at = NULL, updated_at = $3 WHERE person_id = $1 AND brand_id = $2 AND channel = 'all' AND paused_for_abuse_at IS NOT NULL`,
    [personId, brandId, now],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Why a message to this person from this brand on this channel must not go out, or null when it may:
 * `opted_out` (they said stop, for this brand or every brand), `paused_for_abuse` (marketing only).
 */
export async function contactBlock(
  db: Queryable,
  personId: string,
  brandId: number,
  channel: Channel,
  kind: 'marketing' | 'service' = 'marketing',
): Promise<'opted_out' | 'paused_for_abuse' | null> {
  const r = await db.query(
    `SELECT bool_or(opted_out_at IS NOT NULL) AS stopped, bool_or(paused_for_abuse_at IS NOT NULL) AS paused FROM contact_preferences
     WHERE person_id = $1 AND brand_id IN ($2, $3) AND channel IN ('all', $4)`,
    [personId, OWN_CONFIDANT, brandId, channel],
  );
  if (r.rows[0]?.stopped) return 'opted_out';
  if (kind === 'marketing' && r.rows[0]?.paused) return 'paused_for_abuse';
  return null;
}
