/** The person's own contact settings: quiet hours in their zone and the channel they prefer. */
import type { Queryable } from '../db/pool.js';
import { DEFAULT_QUIET, hhmm } from './calendar.js';
import type { MessageChannel } from './decide.js';

export interface ContactSettings {
  quiet_hours: { start: string; end: string };
  preferred_channel: MessageChannel | null;
}

export async function contactSettings(db: Queryable, personId: string): Promise<ContactSettings> {
  const r = await db.query(
    'SELECT quiet_start, quiet_end, preferred_channel FROM contact_settings WHERE person_id = $1',
    [personId],
  );
  const s = r.rows[0];
  return {
    quiet_hours: { start: hhmm(s?.quiet_start ?? DEFAULT_QUIET.start), end: hhmm(s?.quiet_end ?? DEFAULT_QUIET.end) },
    preferred_channel: s?.preferred_channel ?? null,
  };
}

export async function putContactSettings(
  db: Queryable,
  personId: string,
  s: { quietStart?: number; quietEnd?: number; preferred?: MessageChannel | null },
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO contact_settings (person_id, quiet_start, quiet_end, preferred_channel, updated_at)
       VALUES ($1, coalesce($2, ${DEFAULT_QUIET.start}), coalesce($3, ${DEFAULT_QUIET.end}), $4, $5)
     ON CONFLICT (person_id) DO UPDATE SET quiet_start = coalesce($2, contact_settings.quiet_start),
       quiet_end = coalesce($3, contact_settings.quiet_end),
       preferred_channel = CASE WHEN $6 THEN $4 ELSE contact_settings.preferred_channel END, updated_at = $5`,
    [personId, s.quietStart ?? null, s.quietEnd ?? null, s.preferred ?? null, now, s.preferred !== undefined],
  );
}

export async function addPushSubscription(
  db: Queryable,
  personId: string,
  sub: { endpoint: string; p256dh: string; auth: string },
  now: Date,
) {
  await db.query(
    `INSERT INTO push_subscriptions (person_id, endpoint, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (person_id, endpoint) DO UPDATE SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth`,
    [personId, sub.endpoint, sub.p256dh, sub.auth, now],
  );
}

export async function removePushSubscription(db: Queryable, personId: string, endpoint: string): Promise<boolean> {
  const r = await db.query('DELETE FROM push_subscriptions WHERE person_id = $1 AND endpoint = $2', [
    personId,
    endpoint,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** A stop said by link or reply: the message's brand stops e-mailing the person. Answers the brand's name. */
export async function stopByMessage(
  db: Queryable,
  messageId: string,
  how: 'link' | 'reply',
  now: Date,
): Promise<{ brandName: string } | null> {
  const r = await db.query(
    `SELECT m.person_id, m.brand_id, b.name FROM messages m JOIN brands b ON b.id = m.brand_id WHERE m.message_id = $1`,
    [messageId],
  );
  const m = r.rows[0];
  if (!m) return null;
  await db.query(
    `INSERT INTO contact_preferences (person_id, brand_id, channel, opted_out_at, how, updated_at) VALUES ($1, $2, 'email', $3, $4, $3)
     ON CONFLICT (person_id, brand_id, channel) DO UPDATE SET opted_out_at = coalesce(contact_preferences.opted_out_at, EXCLUDED.opted_out_at),
       how = EXCLUDED.how, updated_at = EXCLUDED.updated_at`,
    [m.person_id, m.brand_id, now, how],
  );
  return { brandName: m.name };
}

/** Whether a reply says stop: its first words, above any quoted text. */
export function replySaysStop(text: string): boolean {
  const own = text.split(/\r?\n/).filter((l) => !l.startsWith('>') && !/^On .+ wrote:$/.test(l.trim()));
  const first = own.join(' ').trim().slice(0, 200).toLowerCase();
  return /^(stop|unsubscribe|stop all|cancel|end|quit|opt[ -]?out|remove me|no more)\b/.test(first);
}
