/**
 * A send: idempotency first (the brand's key, or one derived from the trigger and the person), then the rules
 * (decide.ts), then the outbox row and the key committed in one transaction with the decision. The same key and
 * body replays the first answer; the same key while the first request is still deciding is a 409 (an advisory lock
 * held by that transaction); the same key with another body is a 422.
 */
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Db, inTransaction, type Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { countSendsWith, type Decision, decide, overCap, type SendInput, suppress } from './decide.js';

export interface SendAnswer {
  id: string;
  state: 'queued' | 'held' | 'suppressed';
  channel: string | null;
  held_until?: string;
  suppressed?: { rule: string; reason: string };
  /** true when this answers a repeat of an earlier request with the same key */
  replayed?: boolean;
}

/** Tells this process's outbox runner that a message is due now. */
export const outboxBell = new EventEmitter();

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export const requestHash = (input: SendInput) => {
  const { idempotencyKey: _key, ...rest } = input;
  return crypto.createHash('sha256').update(canonical(rest)).digest('hex');
};

/** The key of a send: the brand's, or derived from what triggered it (which names its window) and the person. */
export function keyOf(input: SendInput): string | null {
  if (input.idempotencyKey) return input.idempotencyKey;
  if (input.triggeredBy) return `trigger:${input.triggeredBy}:${input.personId}`;
  return null;
}

function lockIds(brandId: number, key: string): [number, number] {
  const h = crypto.createHash('sha256').update(`${brandId}\0${key}`).digest();
  return [h.readInt32BE(0), h.readInt32BE(4)];
}

export function answerOf(id: string, d: Pick<Decision, 'state' | 'channel' | 'heldUntil' | 'suppressed'>): SendAnswer {
  return {
    id,
    state: d.state,
    channel: d.channel,
    ...(d.heldUntil ? { held_until: d.heldUntil.toISOString() } : {}),
    ...(d.suppressed ? { suppressed: d.suppressed } : {}),
  };
}

async function insertMessage(tx: Queryable, id: string, input: SendInput, d: Decision, now: Date) {
  await tx.query({
    name: 'messaging.insert_message',
    text: `INSERT INTO messages (person_id, message_id, brand_id, purpose, requested_channel, channel, state, subject, text,
        decisions, kept_facts, removed_facts, suppressed_rule, suppressed_reason, triggered_by, cap_exempt, due_at, held_until, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    values: [
      input.personId,
      id,
      input.brandId,
      input.purpose,
      input.channel ?? null,
      d.channel,
      d.state,
      d.subject,
      d.text,
      JSON.stringify(d.rules),
      JSON.stringify(d.kept),
      JSON.stringify(d.removed),
      d.suppressed?.rule ?? null,
      d.suppressed?.reason ?? null,
      input.triggeredBy ?? null,
      d.capExempt,
      d.dueAt,
      d.heldUntil,
      now,
    ],
  });
}

/** What the key answered before: a replay, or a 422 for another body. Null when the key is new. */
async function seenKey(db: Queryable, brandId: number, key: string, hash: string): Promise<SendAnswer | null> {
  const seen = await db.query({
    name: 'messaging.key_seen',
    text: 'SELECT request_hash, response FROM message_keys WHERE brand_id = $1 AND idempotency_key = $2',
    values: [brandId, key],
  });
  if (!seen.rowCount) return null;
  if (seen.rows[0].request_hash !== hash)
    throw new AppError(
      'unprocessable',
      'this Idempotency-Key was used with another request body',
      '/headers/idempotency-key',
    );
  return { ...(seen.rows[0].response as SendAnswer), replayed: true };
}

/**
 * The rules read through the pool (never while holding a transaction's connection, so any number of sends at once
 * cannot take every connection and wait on each other); the outbox row and the key are then stored in one short
 * transaction that holds the key's lock and counts the cap again under the cap's lock.
 */
export async function sendMessage(db: Db, input: SendInput, now: Date): Promise<SendAnswer> {
  const key = keyOf(input);
  const hash = key ? requestHash(input) : '';
  if (key) {
    const before = await seenKey(db, input.brandId, key, hash);
    if (before) return before;
  }
  const decision = await decide({ db, now: () => now }, input, now, countSendsWith(db, input.personId, input.brandId));
  decision.rules.unshift({
    rule: 'idempotency',
    outcome: 'pass',
    reason: key ? 'the first request with this key' : 'no key given or derived: every request is a new message',
  });
  const answer = await inTransaction(db, async (tx) => {
    if (key) {
      const [a, b] = lockIds(input.brandId, key);
      const got = await tx.query({
        name: 'messaging.key_lock',
        text: 'SELECT pg_try_advisory_xact_lock($1, $2) AS got',
        values: [a, b],
      });
      if (!got.rows[0].got)
        throw new AppError(
          'conflict',
          'a request with this Idempotency-Key is still being decided; try again shortly',
          '/headers/idempotency-key',
        );
      const meanwhile = await seenKey(tx, input.brandId, key, hash);
      if (meanwhile) return meanwhile;
    }
    if (decision.cap && decision.state !== 'suppressed') {
      // One send at a time per person, brand and channel counts and takes a slot, so two cannot take the last one.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `cap:${input.personId}:${input.brandId}:${decision.cap.channel}`,
      ]);
      const n = await countSendsWith(tx, input.personId, input.brandId)(decision.cap.channel, decision.cap.starts);
      const over = overCap(decision.cap, n);
      if (over) {
        const at = decision.rules.findIndex((r) => r.rule === 'frequency_cap');
        decision.rules.splice(at);
        suppress(decision, 'frequency_cap', over);
        decision.text = null;
        decision.subject = null;
        decision.kept = [];
        decision.removed = [];
      }
    }
    const id = crypto.randomUUID();
    await insertMessage(tx, id, input, decision, now);
    const res = answerOf(id, decision);
    if (key)
      await tx.query({
        name: 'messaging.key_insert',
        text: `INSERT INTO message_keys (brand_id, idempotency_key, request_hash, person_id, message_id, response, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        values: [input.brandId, key, hash, input.personId, id, JSON.stringify(res), now],
      });
    return res;
  });
  if (answer.state === 'queued') outboxBell.emit('due');
  return answer;
}
