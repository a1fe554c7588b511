/**
 * The person's grants, as they manage them: which brand may use which scope for which purpose, until when.
 * Special categories are never bundled: a special scope is granted only on its own, and "all" leaves them out.
 */
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { brandBySlug } from '../brands/brands.js';
import type { Scope } from '../profile/facts.js';
import { pseudonymFor } from '../people/people.js';
import { type Purpose, SPECIAL_SCOPES, grant, revokeGrants } from './view.js';

export const SCOPES = [
  'identity.name',
  'identity.contact',
  'profile.sizes',
  'profile.diet',
  'profile.allergies',
  'profile.likes',
  'profile.budget',
  'profile.dates',
  'profile.household',
  'gifts',
  'orders.other_brands',
  'location.city',
  'location.precise',
] as const satisfies readonly Scope[];
// Every scope a fact can have is grantable (a compile error here means SCOPES misses one).
const _allScopes: Exclude<Scope, (typeof SCOPES)[number]> extends never ? true : never = true;
void _allScopes;

/** What "all" means: every scope but the special categories. */
export const ORDINARY_SCOPES: readonly Scope[] = SCOPES.filter((s) => !SPECIAL_SCOPES.has(s));

export interface GrantRow {
  brand: { slug: string; name: string };
  scope: string;
  purpose: Purpose;
  grantedAt: Date;
  how: string;
  explicit: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: 'active' | 'expired' | 'revoked';
}

export async function grantsOf(
  db: Queryable,
  personId: string,
  now: Date,
  opts: { brandId?: number; includeInactive?: boolean } = {},
): Promise<GrantRow[]> {
  const r = await db.query(
    `SELECT b.slug, b.name, g.scope, g.purpose, g.granted_at, g.how, g.explicit, g.expires_at, g.revoked_at FROM grants g JOIN brands b ON b.id = g.brand_id
     WHERE g.person_id = $1 AND ($2::bigint IS NULL OR g.brand_id = $2)
       AND ($4 OR (g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $3)))
     ORDER BY b.slug, g.scope, g.purpose`,
    [personId, opts.brandId ?? null, now, opts.includeInactive ?? false],
  );
  return r.rows.map((x) => ({
    brand: { slug: x.slug, name: x.name },
    scope: x.scope,
    purpose: x.purpose,
    grantedAt: x.granted_at,
    how: x.how,
    explicit: x.explicit,
    expiresAt: x.expires_at,
    revokedAt: x.revoked_at,
    status: x.revoked_at ? 'revoked' : x.expires_at && x.expires_at <= now ? 'expired' : 'active',
  }));
}

async function brandIdOf(db: Queryable, slug: string, path: string): Promise<number> {
  const b = await brandBySlug(db, slug);
  if (!b) throw new AppError('not_found', `no brand "${slug}"`, path);
  return b.id;
}

/**
 * Gives grants. One named scope is an explicit grant (it also covers that scope's special-category facts, e.g. a
 * halal diet under profile.diet); several scopes at once, or "all", cover ordinary facts only. A special scope
 * (allergies, budget, precise location) must be asked for on its own.
 */
export async function putGrants(
  ctx: AppContext,
  personId: string,
  g: { brand: string; scopes: Scope[] | 'all'; purposes: Purpose[]; expiresAt?: Date | null; how: string },
): Promise<GrantRow[]> {
  const now = ctx.now();
  const brandId = await brandIdOf(ctx.db, g.brand, '/body/brand');
  const scopes = g.scopes === 'all' ? [...ORDINARY_SCOPES] : [...new Set(g.scopes)];
  const special = scopes.filter((s) => SPECIAL_SCOPES.has(s));
  if (g.scopes !== 'all' && special.length > 0 && scopes.length > 1) {
    throw new AppError(
      'validation_failed',
      `${special.join(', ')} is a special category: grant it on its own, not together with other scopes`,
      '/body/scopes',
    );
  }
  if (g.expiresAt && g.expiresAt <= now)
    throw new AppError('validation_failed', 'expires_at must be in the future', '/body/expires_at');
  await inTransaction(ctx.db, async (tx) => {
    await grant(tx, {
      personId,
      brandId,
      scopes,
      purposes: [...new Set(g.purposes)],
      how: g.how,
      explicit: g.scopes !== 'all' && scopes.length === 1,
      at: now,
      expiresAt: g.expiresAt ?? null,
    });
    // The brand needs a pid to call with: registering it lets a granted brand reach the person even without a link.
    await pseudonymFor(tx, ctx.secret, personId, brandId);
  });
  return grantsOf(ctx.db, personId, now, { brandId });
}

/** Revokes grants: of one brand or all, optionally only some scopes or purposes. Takes effect on the next brand call. */
export async function removeGrants(
  ctx: AppContext,
  personId: string,
  q: { brand?: string; scopes?: string[]; purposes?: Purpose[] },
): Promise<number> {
  const now = ctx.now();
  const brandId = q.brand ? await brandIdOf(ctx.db, q.brand, '/querystring/brand') : null;
  return revokeGrants(ctx.db, {
    personId,
    brandId,
    scopes: q.scopes?.length ? q.scopes : undefined,
    purposes: q.purposes?.length ? q.purposes : undefined,
    at: now,
  });
}

/**
 * The persons who let a brand use some part of their profile (or one of `scopes`) for `purpose` now. For work a brand
 * may do over many people (aggregates, campaign segments, triggers): it says whom a read through `viewFor` could find
 * anything about, and nothing of their data.
 */
export async function personsGranting(
  db: Queryable,
  brandId: number,
  purpose: Purpose,
  now: Date,
  scopes?: string[],
): Promise<string[]> {
  const r = await db.query(
    `SELECT DISTINCT person_id FROM grants WHERE brand_id = $1 AND purpose = $2 AND revoked_at IS NULL
       AND (expires_at IS NULL OR expires_at > $3) AND ($4::text[] IS NULL OR scope = ANY($4))`,
    [brandId, purpose, now, scopes ?? null],
  );
  return r.rows.map((x) => x.person_id as string);
}
