/**
 * Linking a brand's customer to a person. A brand never links on its own: it asks (a link request with a one-time
 * code it shows its customer) and the signed-in person confirms. Until then the brand's data about its customer
 * stays with an unclaimed "shadow" person, apart from the person's profile; on confirmation it moves to the person.
 */
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable, type Tx } from '../db/pool.js';
import { AppError } from '../errors.js';
import { randomToken, sha256 } from '../crypto.js';
import { pseudonymFor, resolveCustomers, SUPPRESSED_PERSON } from './people.js';

export const LINK_REQUEST_HOURS = 24;

export const linkUrl = (publicUrl: string, code: string) =>
  `${publicUrl.replace(/\/$/, '')}/link?code=${encodeURIComponent(code)}`;

export interface LinkRequest {
  code: string;
  url: string;
  expiresAt: Date;
}

/** A brand asks its customer to link. The code is a long random capability (it is shown once; only its hash is kept). */
export async function createLinkRequest(ctx: AppContext, brandId: number, customerId: string): Promise<LinkRequest> {
  const now = ctx.now();
  const code = randomToken('lnk', 24);
  const expiresAt = new Date(now.getTime() + LINK_REQUEST_HOURS * 3600_000);
  await ctx.db.query(
    'INSERT INTO link_requests (brand_id, code_hash, external_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [brandId, sha256(code), customerId, now, expiresAt],
  );
  return { code, url: linkUrl(ctx.publicUrl, code), expiresAt };
}

export type LinkStatus =
  | { status: 'pending' | 'expired'; customerId: string; expiresAt: Date }
  | { status: 'confirmed'; customerId: string; confirmedAt: Date; pid: string };

/** The brand's own request only: another brand's code is not found. Once confirmed, it gives the brand its pid. */
export async function linkRequestStatus(ctx: AppContext, brandId: number, code: string): Promise<LinkStatus> {
  const r = await ctx.db.query(
    `SELECT lr.external_id, lr.expires_at, lr.confirmed_at, bc.person_id FROM link_requests lr
     LEFT JOIN brand_customers bc ON bc.brand_id = lr.brand_id AND bc.external_id = lr.external_id AND bc.confirmed_at IS NOT NULL
     WHERE lr.brand_id = $1 AND lr.code_hash = $2`,
    [brandId, sha256(code)],
  );
  const row = r.rows[0];
  if (!row) throw new AppError('not_found', 'no such link request for this brand', '/params/code');
  if (row.confirmed_at && row.person_id) {
    return {
      status: 'confirmed',
      customerId: row.external_id,
      confirmedAt: row.confirmed_at,
      pid: await pseudonymFor(ctx.db, ctx.secret, row.person_id, brandId),
    };
  }
  return {
    status: row.expires_at > ctx.now() && !row.confirmed_at ? 'pending' : 'expired',
    customerId: row.external_id,
    expiresAt: row.expires_at,
  };
}

async function openRequest(db: Queryable, code: string, now: Date, lock: boolean) {
  const r = await db.query(
    `SELECT lr.brand_id AS "brandId", lr.external_id AS "customerId", b.slug, b.name FROM link_requests lr JOIN brands b ON b.id = lr.brand_id
     WHERE lr.code_hash = $1 AND lr.confirmed_at IS NULL AND lr.expires_at > $2 ${lock ? 'FOR UPDATE OF lr' : ''}`,
    [sha256(code), now],
  );
  if (r.rowCount === 0)
    throw new AppError(
      'not_found',
      'this link code is unknown, already used or expired; ask the shop for a new one',
      '/params/code',
    );
  return r.rows[0] as { brandId: number; customerId: string; slug: string; name: string };
}

/** What the person is asked to confirm: which brand, which of its customer ids. */
export async function previewLink(ctx: AppContext, code: string) {
  const r = await openRequest(ctx.db, code, ctx.now(), false);
  return { brand: { slug: r.slug, name: r.name }, customerId: r.customerId };
}

/** Tables the merge handles itself (or that a shadow person never has rows in). */
const MERGED_APART = new Set([
  'persons',
  'brand_customers',
  'orders',
  'order_items',
  'shipments',
  'returns',
  'events',
  'facts',
  'pseudonyms',
  'sessions',
  'sign_in_links',
  'grants',
  'erasures',
  'person_changes',
]);

/**
 * The person confirms a link request: the customer becomes theirs, and the brand's data about that customer
 * (orders with their items, shipments and returns, events, what the brand observed) moves from the shadow person
 * to the person, in one transaction.
 */
export async function confirmLink(ctx: AppContext, personId: string, code: string) {
  const now = ctx.now();
  return inTransaction(ctx.db, async (tx) => {
    const req = await openRequest(tx, code, now, true);
    await tx.query('UPDATE link_requests SET confirmed_at = $3 WHERE brand_id = $1 AND code_hash = $2', [
      req.brandId,
      sha256(code),
      now,
    ]);
    // A customer erased earlier: the person is choosing to come back, so the suppression goes.
    await tx.query('DELETE FROM suppressions WHERE brand_id = $1 AND customer_hash = suppression_hash($1, $2)', [
      req.brandId,
      req.customerId,
    ]);
    const shadowId = (await resolveCustomers(tx, req.brandId, [req.customerId])).get(req.customerId)!;
    const customer = await tx.query(
      `SELECT bc.person_id, p.claimed FROM brand_customers bc JOIN persons p ON p.id = bc.person_id
       WHERE bc.brand_id = $1 AND bc.external_id = $2 FOR UPDATE OF bc`,
      [req.brandId, req.customerId],
    );
    const moved: Record<string, number> = {};
    const current = customer.rows[0] as { person_id: string; claimed: boolean } | undefined;
    if (!current || shadowId === SUPPRESSED_PERSON)
      throw new AppError(
        'conflict',
        'this customer cannot be linked right now; ask the shop for a new code',
        '/params/code',
      );
    if (current.person_id !== personId) {
      // Someone who signed in already holds this customer: a brand cannot move it to another person.
      if (current.claimed)
        throw new AppError('conflict', 'this customer account is already linked to another person', '/params/code');
      Object.assign(moved, await mergeShadow(tx, current.person_id, personId, req.brandId));
    }
    await tx.query(
      'UPDATE brand_customers SET person_id = $3, confirmed_at = $4 WHERE brand_id = $1 AND external_id = $2',
      [req.brandId, req.customerId, personId, now],
    );
    return { brand: { slug: req.slug, name: req.name }, customerId: req.customerId, linkedAt: now, moved };
  });
}

/** Moves a shadow person's rows of one brand to the person; the shadow goes when nothing of it is left. */
async function mergeShadow(
  tx: Tx,
  shadowId: string,
  personId: string,
  brandId: number,
): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  const count = (table: string, n: number | null) => {
    if (n) moved[table] = (moved[table] ?? 0) + n;
  };
  // Shipments and returns follow their order (ON UPDATE CASCADE on (person_id, brand_id, order_id)); order lines have
  // no foreign key (imports write hundreds of thousands), so they move themselves.
  for (const t of ['shipments', 'returns']) {
    count(
      t,
      Number(
        (await tx.query(`SELECT count(*) FROM ${t} WHERE person_id = $1 AND brand_id = $2`, [shadowId, brandId]))
          .rows[0].count,
      ),
    );
  }
  count(
    'orders',
    (
      await tx.query('UPDATE orders SET person_id = $2 WHERE person_id = $1 AND brand_id = $3', [
        shadowId,
        personId,
        brandId,
      ])
    ).rowCount,
  );
  count(
    'order_items',
    (
      await tx.query('UPDATE order_items SET person_id = $2 WHERE person_id = $1 AND brand_id = $3', [
        shadowId,
        personId,
        brandId,
      ])
    ).rowCount,
  );
  // The same messageId already held by the person is a duplicate: it stays behind and goes with the shadow.
  const moveEvents = async () =>
    count(
      'events',
      (
        await tx.query(
          `UPDATE events e SET person_id = $2 WHERE person_id = $1 AND brand_id = $3
           AND NOT EXISTS (SELECT 1 FROM events x WHERE x.person_id = $2 AND x.brand_id = $3 AND x.message_id = e.message_id)`,
          [shadowId, personId, brandId],
        )
      ).rowCount,
    );
  await moveEvents();
  // What the brand's data taught us about its customer; the person's own (stated) facts win over it.
  const facts = await tx.query(
    `WITH f AS (DELETE FROM facts WHERE person_id = $1 AND (source_brand_id = $3 OR source_brand_id IS NULL) RETURNING *)
     INSERT INTO facts (person_id, fact_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at, retired_uses)
     SELECT $2, fact_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at, retired_uses FROM f
     ON CONFLICT DO NOTHING`,
    [shadowId, personId, brandId],
  );
  count('facts', facts.rowCount);
  // Other rooms' tables (conversations with the shop's widget, trust...): rows of this brand move too.
  const others = await tx.query(
    `SELECT c.table_name, bool_or(b.column_name IS NOT NULL) AS has_brand FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     LEFT JOIN information_schema.columns b ON b.table_schema = c.table_schema AND b.table_name = c.table_name AND b.column_name = 'brand_id'
     WHERE c.table_schema = current_schema() AND c.column_name = 'person_id' GROUP BY c.table_name ORDER BY c.table_name`,
  );
  for (const row of others.rows as Array<{ table_name: string; has_brand: boolean }>) {
    if (MERGED_APART.has(row.table_name)) continue;
    const where = row.has_brand ? 'person_id = $1 AND brand_id = $3' : 'person_id = $1';
    count(
      row.table_name,
      (
        await tx.query(
          `UPDATE "${row.table_name}" SET person_id = $2 WHERE ${where}`,
          row.has_brand ? [shadowId, personId, brandId] : [shadowId, personId],
        )
      ).rowCount,
    );
  }
  await tx.query('UPDATE brand_customers SET person_id = $2 WHERE person_id = $1 AND brand_id = $3', [
    shadowId,
    personId,
    brandId,
  ]);
  // A shadow stands for one brand's customer; once it has no customer row left, nothing refers to it.
  const left = await tx.query('SELECT 1 FROM brand_customers WHERE person_id = $1 LIMIT 1', [shadowId]);
  if (
    left.rowCount === 0 &&
    (await tx.query('DELETE FROM persons WHERE id = $1 AND NOT claimed', [shadowId])).rowCount
  ) {
    // Events have no foreign key: a tracking batch still writing for the shadow held its row until it committed;
    // what it wrote moves now, and the duplicates left behind go.
    await moveEvents();
    await tx.query('DELETE FROM events WHERE person_id = $1', [shadowId]);
    await tx.query('DELETE FROM person_changes WHERE person_id = $1', [shadowId]);
  }
  return moved;
}

export interface Link {
  brand: { slug: string; name: string };
  customerId: string;
  linkedAt: Date;
}

/** The brands a person has confirmed links with. */
export async function linksOf(db: Queryable, personId: string): Promise<Link[]> {
  const r = await db.query(
    `SELECT b.slug, b.name, bc.external_id, bc.confirmed_at FROM brand_customers bc JOIN brands b ON b.id = bc.brand_id
     WHERE bc.person_id = $1 AND bc.confirmed_at IS NOT NULL ORDER BY bc.confirmed_at, b.slug`,
    [personId],
  );
  return r.rows.map((x) => ({
    brand: { slug: x.slug, name: x.name },
    customerId: x.external_id,
    linkedAt: x.confirmed_at,
  }));
}
