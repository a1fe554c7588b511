/** Reading messages back: a message's state for the brand, whether a person may be contacted, and previews. */
import type { Db, Queryable } from '../db/pool.js';
import {
  countSendsWith,
  type Decision,
  decide,
  type MessageChannel,
  preferenceChannel,
  type SendInput,
} from './decide.js';
import type { FactUse } from './guard.js';

export interface MessageState {
  id: string;
  state: string;
  purpose: string;
  channel: string | null;
  created_at: string;
  held_until?: string;
  sent_at?: string;
  provider_id?: string;
  suppressed?: { rule: string; reason: string };
  attempts: number;
  last_error?: string;
  cap_exempt: boolean;
  decisions: Array<{ rule: string; outcome: string; reason: string }>;
  kept_facts: FactUse[];
  removed_facts: FactUse[];
}

/** A brand's message by id (another brand's is not found). */
export async function messageState(db: Queryable, brandId: number, id: string): Promise<MessageState | null> {
  const r = await db.query(
    `SELECT message_id, state, purpose, channel, created_at, held_until, sent_at, provider_id, suppressed_rule, suppressed_reason,
       attempts, last_error, cap_exempt, decisions, kept_facts, removed_facts
     FROM messages WHERE message_id = $1 AND brand_id = $2`,
    [id, brandId],
  );
  const m = r.rows[0];
  if (!m) return null;
  return {
    id: m.message_id,
    state: m.state === 'sending' ? 'queued' : m.state,
    purpose: m.purpose,
    channel: m.channel,
    created_at: m.created_at.toISOString(),
    ...(m.state === 'held' && m.held_until ? { held_until: m.held_until.toISOString() } : {}),
    ...(m.sent_at ? { sent_at: m.sent_at.toISOString(), provider_id: m.provider_id } : {}),
    ...(m.suppressed_rule ? { suppressed: { rule: m.suppressed_rule, reason: m.suppressed_reason } } : {}),
    attempts: m.attempts,
    ...(m.last_error ? { last_error: m.last_error } : {}),
    cap_exempt: m.cap_exempt,
    decisions: m.decisions,
    kept_facts: m.kept_facts,
    removed_facts: m.removed_facts,
  };
}

export interface ContactState {
  /** no marketing from this brand now: the abuse pause, or a stop of every channel */
  marketingPaused: boolean;
  abusePaused: boolean;
  optedOut: MessageChannel[];
}

export async function contactState(db: Queryable, personId: string, brandId: number): Promise<ContactState> {
  const r = await db.query({
    name: 'messaging.contact_state',
    text: `SELECT channel, opted_out_at IS NOT NULL AS stopped, paused_for_abuse_at IS NOT NULL AS paused FROM contact_preferences
      WHERE person_id = $1 AND brand_id IN (0, $2)`,
    values: [personId, brandId],
  });
  const rows = r.rows as Array<{ channel: string; stopped: boolean; paused: boolean }>;
  const abusePaused = rows.some((x) => x.paused);
  const all = rows.some((x) => x.stopped && x.channel === 'all');
  const optedOut = (['chat', 'email', 'push', 'webhook'] as const).filter(
    (c) => all || rows.some((x) => x.stopped && x.channel === preferenceChannel(c)),
  );
  return { marketingPaused: abusePaused || all, abusePaused, optedOut };
}

export interface Preview {
  text: string | null;
  subject: string | null;
  kept_facts: FactUse[];
  removed_facts: FactUse[];
  decision: Pick<Decision, 'state' | 'channel' | 'suppressed' | 'rules'> & { held_until: string | null };
}

/** What a send would do now, without sending: the text, the facts the guard kept and removed (with why), the rules. */
export async function previewMessage(db: Db, input: SendInput, now: Date): Promise<Preview> {
  const d = await decide({ db, now: () => now }, input, now, countSendsWith(db, input.personId, input.brandId));
  return {
    text: d.text,
    subject: d.subject,
    kept_facts: d.kept,
    removed_facts: d.removed,
    decision: {
      state: d.state,
      channel: d.channel,
      suppressed: d.suppressed,
      rules: d.rules,
      held_until: d.heldUntil?.toISOString() ?? null,
    },
  };
}
