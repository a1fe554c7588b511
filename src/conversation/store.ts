/** Conversations as stored: messages, and the state one turn leaves for the next. */
import type { Queryable } from '../db/pool.js';
import type { Action, Offer } from './compose.js';
import type { Understanding } from './understand/types.js';

/** brand_id of the shopper's own Confidant conversation. */
export const OWN_CONFIDANT = 0;

/** A fact a reply used, as the shopper and the API see it. */
export interface UsedFact {
  id: string;
  about: string;
  kind: string;
  value: unknown;
  source: string;
  /** The brand the fact came from (observed or imported), null when the shopper said it. */
  source_brand_id: number | null;
  description: string;
  /** What the fact was used for in this reply: a product id, "constraint", "confirmed"... */
  used_for?: string;
}

/** An action waiting for the shopper's yes or no. */
export type Pending =
  | { kind: 'cancel'; brandId: number; orderId: string; lineNos: number[]; what: string; expiresAt: string }
  | { kind: 'return'; brandId: number; orderId: string; lineNos: number[]; what: string; expiresAt: string }
  | {
      kind: 'change_delivery';
      brandId: number;
      orderId: string;
      option: string;
      optionText: string;
      what: string;
      expiresAt: string;
    }
  | { kind: 'grant'; brandId: number; scopes: string[]; what: string; expiresAt: string };

export interface LastUsed {
  /** The purpose the facts were used for (recommendations, service): "too creepy" retires exactly that use. */
  purpose: string;
  facts: UsedFact[];
  /** What the reply suggested, when it suggested something. */
  picks?: Array<{ productId: string; name: string; factIds: string[] }>;
}

export interface ConversationState {
  pending: Pending | null;
  lastUsed: LastUsed | null;
  lastOrders: Array<{ brandId: number; orderId: string }>;
  /** The buttons the last reply offered. */
  offered: Offer[];
}

/**
 * Reads the conversation's state and locks it until the turn's transaction ends, so two messages sent at
 * once are answered one after the other (a "yes" cannot confirm twice).
 */
export async function lockState(
  tx: Queryable,
  personId: string,
  brandId: number,
  now: Date,
): Promise<ConversationState> {
  await tx.query(
    'INSERT INTO conversation_state (person_id, brand_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [personId, brandId, now],
  );
  const r = await tx.query(
    `SELECT pending, last_used AS "lastUsed", last_orders AS "lastOrders", offered FROM conversation_state WHERE person_id = $1 AND brand_id = $2 FOR UPDATE`,
    [personId, brandId],
  );
  const row = r.rows[0];
  return {
    pending: row.pending ?? null,
    lastUsed: row.lastUsed ?? null,
    lastOrders: row.lastOrders ?? [],
    offered: row.offered ?? [],
  };
}

export async function saveState(tx: Queryable, personId: string, brandId: number, s: ConversationState, now: Date) {
  await tx.query(
    'UPDATE conversation_state SET pending = $3, last_used = $4, last_orders = $5, offered = $6, updated_at = $7 WHERE person_id = $1 AND brand_id = $2',
    [
      personId,
      brandId,
      s.pending ? JSON.stringify(s.pending) : null,
      s.lastUsed ? JSON.stringify(s.lastUsed) : null,
      JSON.stringify(s.lastOrders),
      JSON.stringify(s.offered),
      now,
    ],
  );
}

export async function addMessage(
  db: Queryable,
  m: {
    personId: string;
    brandId: number;
    role: 'shopper' | 'assistant' | 'operator';
    text: string;
    understood?: Understanding | null;
    actions?: Action[];
    usedFacts?: UsedFact[];
    at: Date;
  },
): Promise<number> {
  const r = await db.query(
    `INSERT INTO conversation_messages (person_id, brand_id, role, text, understood, actions, used_facts, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING message_id`,
    [
      m.personId,
      m.brandId,
      m.role,
      m.text,
      m.understood ? JSON.stringify(m.understood) : null,
      JSON.stringify(m.actions ?? []),
      JSON.stringify(m.usedFacts ?? []),
      m.at,
    ],
  );
  return Number(r.rows[0].message_id);
}

export interface StoredMessage {
  id: number;
  role: 'shopper' | 'assistant' | 'operator';
  text: string;
  understood: Understanding | null;
  actions: Action[];
  used_facts: UsedFact[];
  at: Date;
}

/** One page of a conversation, oldest first: the `limit` messages before `before` (a message id), or the latest. */
export async function listMessages(
  db: Queryable,
  personId: string,
  brandId: number,
  opts: { limit: number; before?: number },
): Promise<{ messages: StoredMessage[]; next_before: number | null }> {
  const r = await db.query(
    `SELECT message_id AS id, role, text, understood, actions, used_facts, at FROM conversation_messages
     WHERE person_id = $1 AND brand_id = $2 AND ($3::bigint IS NULL OR message_id < $3)
     ORDER BY message_id DESC LIMIT $4`,
    [personId, brandId, opts.before ?? null, opts.limit + 1],
  );
  const more = r.rows.length > opts.limit;
  const page = (more ? r.rows.slice(0, opts.limit) : r.rows).map((m) => ({ ...m, id: Number(m.id) })).reverse();
  return { messages: page, next_before: more ? page[0].id : null };
}
