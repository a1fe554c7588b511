import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { checkValue, isTimestamp } from '../validation.js';
import { addCustomerTraits, resolveCustomers, SUPPRESSED_PERSON } from '../people/index.js';
import { upsertOrderFromEvent } from '../orders/orders.js';
import { importTraits } from '../profile/observe.js';
import { groupWriter } from '../db/group-commit.js';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const Common = {
  userId: Type.Optional(
    Type.Union([Text(200), Type.Integer()], {
      description: 'Your id of the customer; a number must be an integer, kept exactly as its decimal text',
    }),
  ),
  anonymousId: Type.Optional(Text(200)),
  messageId: Type.Optional(Text(200)),
  timestamp: Type.Optional(Time),
  originalTimestamp: Type.Optional(Time),
  sentAt: Type.Optional(Type.String({ maxLength: 100 })),
  writeKey: Type.Optional(
    Type.String({
      maxLength: 200,
      description: "The write key, for clients that cannot send headers (Segment's browser library)",
    }),
  ),
  context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  integrations: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};
/** Segment's rule, in the schema: a message names its customer by userId, anonymousId or both. */
const WHO = { anyOf: [{ required: ['userId'] }, { required: ['anonymousId'] }] };
const Properties = Type.Optional(Type.Record(Type.String(), Type.Unknown()));
const IdentifyFields = { ...Common, traits: Properties };
const TrackFields = { ...Common, event: Text(200), properties: Properties };
const PageFields = {
  ...Common,
  name: Type.Optional(Type.String({ maxLength: 500 })),
  category: Type.Optional(Type.String({ maxLength: 500 })),
  properties: Properties,
};
export const IdentifyBody = Type.Object(IdentifyFields, WHO);
export const TrackBody = Type.Object(TrackFields, WHO);
export const PageBody = Type.Object(PageFields, WHO);
/** A batch item is one of the three, chosen by its `type`; the same limits as the single calls. */
const BatchItem = Type.Unsafe<Record<string, unknown> & { type: SegmentType; context?: unknown }>({
  type: 'object',
  required: ['type'],
  oneOf: [
    Type.Object({ type: Type.Literal('identify'), ...IdentifyFields }, WHO),
    Type.Object({ type: Type.Literal('track'), ...TrackFields }, WHO),
    Type.Object({ type: Type.Literal('page'), ...PageFields }, WHO),
  ],
  discriminator: { propertyName: 'type' },
});
export const BatchBody = Type.Object({
  batch: Type.Array(BatchItem, { minItems: 1, maxItems: 10000 }),
  context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  timestamp: Type.Optional(Type.String({ maxLength: 100 })),
  sentAt: Type.Optional(Type.String({ maxLength: 100 })),
  writeKey: Common.writeKey,
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

/**
 * Checks one message of any type and says where it is wrong (`at` is its path, e.g. `/batch/3`). HTTP bodies were
 * validated against the schemas above already; an import's lines were not (`schemaChecked: false`).
 */
export function checkMessage(
  m: Record<string, unknown>,
  type: SegmentType,
  at: string,
  schemaChecked = true,
): SegmentMessage {
  if (Buffer.byteLength(JSON.stringify(m)) > EVENT_MAX_BYTES)
    throw new AppError('payload_too_large', 'an event may be at most 32 KB', at);
  const userId = m.userId;
  if (!schemaChecked) {
    checkValue(type === 'identify' ? IdentifyBody : type === 'track' ? TrackBody : PageBody, m, at);
    if (userId === undefined && m.anonymousId === undefined)
      throw new AppError('validation_failed', 'userId or anonymousId is required', `${at}/userId`);
  }
  if (typeof userId === 'number' && (!Number.isSafeInteger(userId) || Object.is(userId, -0)))
    throw new AppError('validation_failed', 'userId must be a string or an integer kept exactly', `${at}/userId`);
  for (const key of ['timestamp', 'originalTimestamp'] as const)
    if (m[key] !== undefined && (typeof m[key] !== 'string' || !isTimestamp(m[key] as string, { zone: true })))
      throw new AppError(
        'validation_failed',
        `${key} must be an ISO 8601 date-time with its offset (within +-15:59), in the years 0001-9999`,
        `${at}/${key}`,
      );
  if (type === 'track' && m.event === 'Order Completed') checkOrderCompleted(m.properties, `${at}/properties`);
  return { ...(m as object), ...(userId === undefined ? {} : { userId: String(userId) }), type } as SegmentMessage;
}

/**
 * An `Order Completed` becomes an order: its products must say what was bought as the e-commerce spec has it
 * (a quantity is a whole number of at least 1, a price a number of at least 0), or the event is refused rather than
 * stored with guesses.
 */
function checkOrderCompleted(props: unknown, at: string) {
  if (props === undefined) return;
  const p = props as Record<string, unknown>;
  const orderId = p.order_id ?? p.checkout_id;
  const bad = (path: string, message: string) => new AppError('validation_failed', message, `${at}${path}`);
  if (orderId !== undefined && !isId(orderId)) throw bad('/order_id', 'order_id must be a string or an integer');
  if (p.products === undefined) return;
  if (!Array.isArray(p.products)) throw bad('/products', 'products must be an array');
  if (p.products.length > 1000) throw bad('/products', 'an order may have at most 1000 products');
  p.products.forEach((item: unknown, j) => {
    const here = `/products/${j}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(here, 'a product is an object');
    const it = item as Record<string, unknown>;
    const id = it.product_id ?? it.sku;
    if (!isId(id)) throw bad(`${here}/product_id`, 'product_id (or sku) is required: a string or an integer');
    if (
      it.quantity !== undefined &&
      !(Number.isInteger(it.quantity) && (it.quantity as number) >= 1 && (it.quantity as number) <= 100000)
    )
      throw bad(`${here}/quantity`, 'quantity must be a whole number from 1 to 100000');
    if (
      it.price !== undefined &&
      !(typeof it.price === 'number' && Number.isFinite(it.price) && it.price >= 0 && it.price <= 1e9)
    )
      throw bad(`${here}/price`, 'price must be a number from 0 to 1000000000');
    if (it.name !== undefined && (typeof it.name !== 'string' || it.name.length > 500))
      throw bad(`${here}/name`, 'name must be a string of at most 500 characters');
  });
  if (p.currency !== undefined && (typeof p.currency !== 'string' || !/^[A-Z]{3}$/.test(p.currency)))
    throw bad('/currency', 'currency must be a three-letter ISO 4217 code (USD)');
}
const isId = (v: unknown) =>
  (typeof v === 'string' && v.length >= 1 && v.length <= 200) || (typeof v === 'number' && Number.isSafeInteger(v));

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
 * A messageId seen before at the brand (for any customer) is counted as a duplicate and not stored again.
 */
export async function storeMessages(
  tx: Queryable,
  brandId: number,
  messages: SegmentMessage[],
  receivedAt: Date,
  /** Where message i is (`/body/batch/3`), for errors. */
  where: (i: number) => string = () => '/body',
): Promise<IngestResult> {
  const externalIds = messages.map((m) =>
    m.userId !== undefined && m.userId !== '' ? String(m.userId) : `anon:${m.anonymousId}`,
  );
  const persons = await lockedCustomers(tx, brandId, externalIds);
  // One JSON document for the whole batch: PostgreSQL parses it in one pass, where ten arrays of escaped strings cost
  // the server more than the insert.
  const rows = messages.map((m, i) => ({
    i,
    p: persons.get(externalIds[i])!,
    mid: m.messageId ?? randomUUID(),
    t: m.type,
    e: m.type === 'track' ? m.event : m.type === 'page' ? (m.name ?? null) : null,
    pr: productIdOf(m.properties),
    props: m.type === 'identify' ? (m.traits ?? {}) : (m.properties ?? {}),
    ctx: m.context ?? {},
    ts: m.timestamp ?? m.originalTimestamp ?? receivedAt.toISOString(),
  }));
  // A messageId is claimed for the brand once (event_claims); only the first message with a claimed id is written.
  const stored = await tx.query(
    `WITH x AS (
       SELECT DISTINCT ON (mid) * FROM json_to_recordset($2::json)
         AS x(i int, p uuid, mid text, t text, e text, pr text, props jsonb, ctx jsonb, ts timestamptz)
       ORDER BY mid, i),
     claimed AS (INSERT INTO event_claims (brand_id, message_id) SELECT $1, mid FROM x ON CONFLICT DO NOTHING RETURNING message_id)
     INSERT INTO events (person_id, brand_id, message_id, type, event, product_id, properties, context, occurred_at, received_at)
     SELECT p, $1, mid, t, e, pr, props, ctx, ts, $3 FROM x JOIN claimed ON claimed.message_id = x.mid
     ON CONFLICT DO NOTHING RETURNING message_id`,
    [brandId, JSON.stringify(rows), receivedAt],
  );
  const fresh = new Set(stored.rows.map((r) => r.message_id as string));
  const storedNow = new Array<boolean>(messages.length).fill(false);
  for (let i = 0; i < messages.length; i++) {
    const [m, { p: personId, mid, ts }] = [messages[i], rows[i]];
    if (!fresh.has(mid)) continue;
    fresh.delete(mid); // a messageId repeated inside one batch takes effect once
    storedNow[i] = true;
    if (m.type === 'identify' && m.traits && Object.keys(m.traits).length > 0) {
      await addCustomerTraits(tx, brandId, [{ externalId: externalIds[i], traits: m.traits }]);
      await importTraits(tx, brandId, personId, m.traits, new Date(ts));
    }
    if (m.type === 'track' && m.event === 'Order Completed' && m.properties) {
      await upsertOrderFromEvent(tx, brandId, personId, m.properties, new Date(ts), where(i));
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
