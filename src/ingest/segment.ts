import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { StringEnum } from '../validation.js';
import { resolveCustomers, SUPPRESSED_PERSON } from '../people/people.js';
import { upsertOrderFromEvent } from '../orders/orders.js';
import { importTraits } from '../profile/observe.js';
import { groupWriter } from '../db/group-commit.js';

const Id = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Number()]);
const Common = {
  userId: Type.Optional(Id),
  anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  sentAt: Type.Optional(Type.String()),
  context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  integrations: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};
export const IdentifyBody = Type.Object({
  ...Common,
  traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const TrackBody = Type.Object({
  ...Common,
  event: Type.String({ minLength: 1, maxLength: 200 }),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const PageBody = Type.Object({
  ...Common,
  name: Type.Optional(Type.String({ maxLength: 500 })),
  category: Type.Optional(Type.String({ maxLength: 500 })),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const BatchBody = Type.Object({
  batch: Type.Array(Type.Object({ type: StringEnum(['identify', 'track', 'page']) }, { additionalProperties: true }), {
    minItems: 1,
    maxItems: 10000,
  }),
  context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export type SegmentType = 'identify' | 'track' | 'page';
export type SegmentMessage = Static<typeof TrackBody> &
  Partial<Static<typeof IdentifyBody>> &
  Partial<Static<typeof PageBody>> & { type: SegmentType };

export const EVENT_MAX_BYTES = 32 * 1024;
export const BATCH_MAX_BYTES = 500 * 1024;

/** The e-commerce v2 events we learn from (the others are stored as they come). */
export const PRODUCT_EVENTS = new Set([
  'Product Viewed',
  'Product Clicked',
  'Product Added',
  'Product Removed',
  'Product Added to Wishlist',
  'Product Reviewed',
  'Product Shared',
]);

export interface IngestResult {
  received: number;
  duplicates: number;
  /** Per message: whether this call stored it (false: a repeat of a messageId already stored). */
  stored: boolean[];
}

/** Checks one message of any type and says where it is wrong (`at` is its path, e.g. `/batch/3`). */
export function checkMessage(m: Record<string, unknown>, type: SegmentType, at: string): SegmentMessage {
  if (Buffer.byteLength(JSON.stringify(m)) > EVENT_MAX_BYTES)
    throw new AppError('validation_failed', 'an event may be at most 32 KB', at);
  const userId = m.userId;
  if ((userId === undefined || userId === null || userId === '') && !m.anonymousId) {
    throw new AppError('validation_failed', 'userId or anonymousId is required', `${at}/userId`);
  }
  if (userId !== undefined && typeof userId !== 'string' && typeof userId !== 'number')
    throw new AppError('validation_failed', 'userId must be a string', `${at}/userId`);
  if (m.anonymousId !== undefined && typeof m.anonymousId !== 'string')
    throw new AppError('validation_failed', 'anonymousId must be a string', `${at}/anonymousId`);
  if (
    m.messageId !== undefined &&
    (typeof m.messageId !== 'string' || m.messageId.length === 0 || m.messageId.length > 200)
  ) {
    throw new AppError(
      'validation_failed',
      'messageId must be a non-empty string of at most 200 characters',
      `${at}/messageId`,
    );
  }
  if (type === 'track' && (typeof m.event !== 'string' || !m.event))
    throw new AppError('validation_failed', 'event is required for a track call', `${at}/event`);
  if (m.timestamp !== undefined && (typeof m.timestamp !== 'string' || Number.isNaN(Date.parse(m.timestamp)))) {
    throw new AppError('validation_failed', 'timestamp must be an ISO 8601 date-time', `${at}/timestamp`);
  }
  for (const key of ['properties', 'traits', 'context'] as const) {
    const v = m[key];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v)))
      throw new AppError('validation_failed', `${key} must be an object`, `${at}/${key}`);
  }
  return { ...(m as object), type } as SegmentMessage;
}

function productIdOf(props: Record<string, unknown> | undefined): string | null {
  const v = props?.product_id ?? props?.sku;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/**
 * The person of each customer, share-locked once per person (events have no foreign key to persons: it locked the row
 * once per event), so an erasure or a link merge of one of them waits for this transaction and then deletes or moves
 * what it wrote. A person that went between the lookup and the lock is looked up again: a merged customer now has
 * their real person, an erased one is suppressed (SUPPRESSED_PERSON: the events are dropped, as re-sent ones are).
 */
async function lockedCustomers(tx: Queryable, brandId: number, externalIds: string[]): Promise<Map<string, string>> {
  const persons = await resolveCustomers(tx, brandId, externalIds);
  for (let attempt = 1; ; attempt++) {
    const ids = [...new Set(persons.values())].filter((id) => id !== SUPPRESSED_PERSON);
    const alive = new Set(
      (await tx.query('SELECT id FROM persons WHERE id = ANY($1::uuid[]) FOR KEY SHARE', [ids])).rows.map(
        (r) => r.id as string,
      ),
    );
    const gone = [...persons]
      .filter(([, id]) => id !== SUPPRESSED_PERSON && !alive.has(id))
      .map(([customer]) => customer);
    if (gone.length === 0) return persons;
    if (attempt === 3)
      throw new AppError(
        'conflict',
        'these customers are being linked or erased right now; send the events again',
        '/userId',
      );
    for (const [customer, id] of await resolveCustomers(tx, brandId, gone)) persons.set(customer, id);
  }
}

/**
 * Stores Segment messages of one brand. Call inside a transaction: everything is committed together.
 * A messageId seen before for the same customer is counted as a duplicate and not stored again.
 */
export async function storeMessages(
  tx: Queryable,
  brandId: number,
  messages: SegmentMessage[],
  receivedAt: Date,
): Promise<IngestResult> {
  const externalIds = messages.map((m) =>
    m.userId !== undefined && m.userId !== '' ? String(m.userId) : `anon:${m.anonymousId}`,
  );
  const persons = await lockedCustomers(tx, brandId, externalIds);
  // One JSON document for the whole batch: PostgreSQL parses it in one pass, where ten arrays of escaped strings cost
  // the server more than the insert.
  const rows = messages.map((m, i) => ({
    p: persons.get(externalIds[i])!,
    mid: m.messageId ?? randomUUID(),
    t: m.type,
    e: m.type === 'track' ? m.event : m.type === 'page' ? (m.name ?? null) : null,
    pr: productIdOf(m.properties),
    props: m.type === 'identify' ? (m.traits ?? {}) : (m.properties ?? {}),
    ctx: m.context ?? {},
    ts: m.timestamp ?? receivedAt.toISOString(),
  }));
  const stored = await tx.query(
    `INSERT INTO events (person_id, brand_id, message_id, type, event, product_id, properties, context, occurred_at, received_at)
     SELECT p, $1, mid, t, e, pr, props, ctx, ts, $3
     FROM json_to_recordset($2::json) AS x(p uuid, mid text, t text, e text, pr text, props jsonb, ctx jsonb, ts timestamptz)
     ON CONFLICT DO NOTHING RETURNING message_id, person_id`,
    [brandId, JSON.stringify(rows), receivedAt],
  );
  const fresh = new Set(stored.rows.map((r) => `${r.person_id}|${r.message_id}`));
  const storedNow = new Array<boolean>(messages.length).fill(false);
  for (let i = 0; i < messages.length; i++) {
    const [m, { p: personId, mid, ts }] = [messages[i], rows[i]];
    const key = `${personId}|${mid}`;
    if (!fresh.has(key)) continue;
    fresh.delete(key); // a messageId repeated inside one batch takes effect once
    storedNow[i] = true;
    if (m.type === 'identify' && m.traits && Object.keys(m.traits).length > 0) {
      await tx.query(
        'UPDATE brand_customers SET traits = traits || $3::jsonb WHERE brand_id = $1 AND external_id = $2',
        [brandId, externalIds[i], JSON.stringify(m.traits)],
      );
      await importTraits(tx, brandId, personId, m.traits, new Date(ts));
    }
    if (m.type === 'track' && m.event === 'Order Completed' && m.properties) {
      await upsertOrderFromEvent(tx, brandId, personId, m.properties, new Date(ts));
    }
  }
  return { received: messages.length, duplicates: messages.length - stored.rowCount!, stored: storedNow };
}

/**
 * One tracking call's message, committed together with the calls that arrive at the same moment (one WAL flush for
 * all); answers whether it was stored (false: a repeated messageId).
 */
export const storeOneMessage = groupWriter<{ brandId: number; message: SegmentMessage; receivedAt: Date }, boolean>(
  async (tx, items) => {
    const stored = new Array<boolean>(items.length);
    const byBrand = new Map<number, number[]>();
    items.forEach((it, i) => byBrand.set(it.brandId, [...(byBrand.get(it.brandId) ?? []), i]));
    for (const [brandId, at] of byBrand) {
      const r = await storeMessages(
        tx,
        brandId,
        at.map((i) => items[i].message),
        items[at[at.length - 1]].receivedAt,
      );
      at.forEach((i, j) => (stored[i] = r.stored[j]));
    }
    return stored;
  },
);
