/**
 * Linking a brand's customer to a person. A brand never links on its own: it asks (a link request with a one-time
 * code it shows its customer) and the signed-in person confirms. Until then the brand's data about its customer
 * stays with an unclaimed "shadow" person, apart from the person's profile; on confirmation it moves to the person.
 */
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable, type Tx } from '../db/pool.js';
import { AppError } from '../errors.js';
import { randomToken, sha256 } from '../crypto.js';
import {
  countFollowing,
  type MergeStep,
  mergeRows,
  type PersonDataRegistry,
  personTables,
  REGISTRY,
} from '../person-data.js';
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
      Object.assign(
        moved,
        await mergeShadow(tx, ctx.registry ?? REGISTRY, {
          from: current.person_id,
          to: personId,
          brandId: req.brandId,
        }),
      );
    }
    await tx.query(
      'UPDATE brand_customers SET person_id = $3, confirmed_at = $4 WHERE brand_id = $1 AND external_id = $2',
      [req.brandId, req.customerId, personId, now],
    );
    return { brand: { slug: req.slug, name: req.name }, customerId: req.customerId, linkedAt: now, moved };
  });
}

/**
 * Moves a shadow person's rows of one brand to the person, each table as its room declared (src/person-data.ts);
 * the shadow goes when nothing of it is left.
 */
async function mergeShadow(tx: Tx, registry: PersonDataRegistry, step: MergeStep): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  const count = (table: string, n: number | null) => {
    if (n) moved[table] = (moved[table] ?? 0) + n;
  };
  const tables = personTables(registry);
  // Rows that move with their parent (ON UPDATE CASCADE) are counted before it moves.
  for (const t of tables)
    if (typeof t.merge === 'object' && 'follows' in t.merge) count(t.table, await countFollowing(tx, t, step));
  for (const t of tables) count(t.table, await mergeRows(tx, t, step));
  await tx.query('UPDATE brand_customers SET person_id = $2 WHERE person_id = $1 AND brand_id = $3', [
    step.from,
    step.to,
    step.brandId,
  ]);
  // A shadow stands for one brand's customer; once it has no customer row left, nothing refers to it.
  const left = await tx.query('SELECT 1 FROM brand_customers WHERE person_id = $1 LIMIT 1', [step.from]);
  if (
    left.rowCount === 0 &&
    (await tx.query('DELETE FROM persons WHERE id = $1 AND NOT claimed', [step.from])).rowCount
  ) {
    for (const t of tables) if (t.afterShadowGone) count(t.table, await t.afterShadowGone(tx, step));
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
