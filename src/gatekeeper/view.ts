import type { Db, Queryable } from '../db/pool.js';
import { groupWriter } from '../db/group-commit.js';
import { type Scope, type StoredFact, factsOf } from '../profile/facts.js';

export const PURPOSES = ['service', 'recommendations', 'marketing', 'analytics'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Scopes whose facts are special categories: never shared without a grant of exactly that scope. */
export const SPECIAL_SCOPES: ReadonlySet<Scope> = new Set(['profile.allergies', 'profile.budget', 'location.precise']);

/**
 * What one brand may use of one person for one purpose, or the person's own view (`brandId` null).
 * Everything that touches a person's data for a brand gets one of these from `viewFor`.
 */
export interface PersonView {
  personId: string;
  brandId: number | null;
  purpose: Purpose | 'self';
  /** Only the facts this view allows, with their provenance. */
  facts: StoredFact[];
  scopes: ReadonlySet<string>;
}

export interface ActiveGrant {
  scope: string;
  explicit: boolean;
}

export async function activeGrants(
  db: Queryable,
  personId: string,
  brandId: number,
  purpose: Purpose,
  now: Date,
): Promise<ActiveGrant[]> {
  // Named statements (planned once per connection): grants and the audit write are on every brand read.
  const r = await db.query({
    name: 'gatekeeper.active_grants',
    text: `SELECT scope, explicit FROM grants WHERE person_id = $1 AND brand_id = $2 AND purpose = $3
       AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $4)`,
    values: [personId, brandId, purpose, now],
  });
  return r.rows;
}

/** A habit seen in another brand's orders and events shows what the person buys there. */
const fromOtherBrand = (f: StoredFact, brandId: number) =>
  f.source === 'observed' && f.sourceBrandId !== null && f.sourceBrandId !== brandId;

/**
 * Whether a fact may be used under these grants for this purpose. `brandId` is the brand asking: for `service` it
 * always sees what it contributed itself (facts observed in or imported from its own data), grant or not; what was
 * observed in another brand's data also needs `orders.other_brands`.
 */
export function factAllowed(
  f: StoredFact,
  grants: ReadonlyMap<string, ActiveGrant>,
  purpose: Purpose,
  brandId: number,
): boolean {
  if (f.retiredUses.includes(purpose)) return false;
  if (purpose === 'service' && f.sourceBrandId === brandId && (f.source === 'observed' || f.source === 'imported'))
    return true;
  const g = grants.get(f.scope);
  if (!g) return false;
  if (fromOtherBrand(f, brandId) && !grants.has('orders.other_brands')) return false;
  // A special-category fact (health, religion, children, finances, precise location) needs its scope granted on its own.
  if (f.sensitivity !== 'low' && !g.explicit) return false;
  return true;
}

/**
 * The facts `brandId` may use about `personId` for `purpose`, read now, and an audit entry saying so. Grants are read
 * on every call, so a change takes effect on the next one. (Called through `viewFor`, gatekeeper/view-for.ts.)
 */
export async function freshView(
  db: Queryable,
  r: {
    brandId: number;
    personId: string;
    purpose: Purpose;
    call: string;
    action: string;
    at: Date;
    inTransaction: boolean;
  },
): Promise<PersonView> {
  const [grants, facts] = await Promise.all([
    activeGrants(db, r.personId, r.brandId, r.purpose, r.at),
    factsOf(db, r.personId),
  ]);
  return auditedView(db, { ...r, grants, facts });
}

export interface ViewInput {
  personId: string;
  brandId: number;
  purpose: Purpose;
  grants: ActiveGrant[];
  facts: StoredFact[];
  call: string;
  action: string;
  at: Date;
  fence?: string;
  /**
   * True when `db` is the caller's own transaction: the entry is written there and commits with it, durably. False
   * when `db` is the pool: entries of concurrent reads commit together, without waiting for the disk.
   */
  inTransaction: boolean;
}

/**
 * The view from grants and facts already read (in force at `at`), with its audit entry written. From a view kept since
 * an earlier read (`snapshot`), it is recorded only if nothing of the person changed since, and null says it is out of
 * date.
 */
export async function auditedView(db: Queryable, r: ViewInput & { snapshot?: undefined }): Promise<PersonView>;
export async function auditedView(db: Queryable, r: ViewInput & { snapshot?: string }): Promise<PersonView | null>;
export async function auditedView(db: Queryable, r: ViewInput & { snapshot?: string }): Promise<PersonView | null> {
  const byScope = new Map(r.grants.map((g) => [g.scope, g]));
  const allowed = r.facts.filter((f) => factAllowed(f, byScope, r.purpose, r.brandId));
  const used = new Set<string>(allowed.map((f) => f.scope));
  if (allowed.some((f) => fromOtherBrand(f, r.brandId))) used.add('orders.other_brands');
  const entry = { ...r, scopes: [...used], factIds: allowed.map((f) => f.id), snapshot: r.snapshot ?? null };
  if (!(await audit(db, entry, r.inTransaction))) return null;
  return {
    personId: r.personId,
    brandId: r.brandId,
    purpose: r.purpose,
    facts: allowed,
    scopes: new Set(byScope.keys()),
  };
}

/** The person's own view of themselves: everything, no audit (it is their data). */
export async function selfView(db: Queryable, personId: string): Promise<PersonView> {
  return { personId, brandId: null, purpose: 'self', facts: await factsOf(db, personId), scopes: new Set() };
}

export interface AuditInput {
  personId: string;
  brandId: number;
  action: string;
  purpose: string;
  scopes: string[];
  factIds: string[];
  call: string;
  at: Date;
  /** The snapshot a kept view was read in: the entry is written only if no change of the person committed outside it. */
  snapshot?: string | null;
  /** Sent on confidant_activity when the entry commits (see recommend/activity.ts). */
  fence?: string;
}

/**
 * Brand reads come by the thousand a second: their audit entries are committed together, and each read waits for its
 * own entry's commit but not for the disk (only a crash of the database server itself within a fraction of a second
 * could lose an entry; a crash of this process cannot).
 */
const writeAudit = groupWriter<AuditInput & { noWait: boolean }, boolean>(
  async (db, entries) => {
    const rows = entries.map((e, i) => ({
      i,
      person_id: e.personId,
      brand_id: e.brandId,
      action: e.action,
      purpose: e.purpose,
      scopes: e.scopes,
      fact_ids: e.factIds,
      call: e.call,
      at: e.at,
      snapshot: e.snapshot ?? null,
    }));
    // Outside a caller's transaction, the entries do not wait for the disk (see write_audit_entries).
    const fences = entries.flatMap((e) => (e.fence ? [e.fence] : []));
    const r = await db.query({
      name: 'gatekeeper.write_audit',
      text: 'SELECT i FROM write_audit_entries($1::jsonb, $2, $3) AS i',
      values: [JSON.stringify(rows), entries.every((e) => e.noWait), fences],
    });
    const stale = new Set(r.rows.map((row) => row.i as number));
    return entries.map((_, i) => !stale.has(i));
  },
  { oneStatement: true },
);

/**
 * Writes the entry; false if it was left out because the read is out of date (see `snapshot`). In the caller's
 * transaction (`inTransaction`) it commits with it; otherwise `db` is the pool and it is committed with others.
 */
export const audit = (db: Queryable, e: AuditInput, inTransaction: boolean): Promise<boolean> =>
  inTransaction ? writeAudit.inTransaction(db, { ...e, noWait: false }) : writeAudit(db as Db, { ...e, noWait: true });

/** Gives grants (used by the person's own routes and the chat). Special scopes must be asked for one by one. */
export async function grant(
  db: Queryable,
  g: {
    personId: string;
    brandId: number;
    scopes: string[];
    purposes: Purpose[];
    how: string;
    explicit: boolean;
    at: Date;
    expiresAt?: Date | null;
  },
) {
  for (const scope of g.scopes)
    for (const purpose of g.purposes)
      await db.query(
        `INSERT INTO grants (person_id, brand_id, scope, purpose, granted_at, how, explicit, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (person_id, brand_id, scope, purpose) DO UPDATE SET granted_at = EXCLUDED.granted_at, how = EXCLUDED.how,
           -- A bundled re-grant does not take back an explicit grant that is still in force.
           explicit = EXCLUDED.explicit OR (grants.explicit AND grants.revoked_at IS NULL AND (grants.expires_at IS NULL OR grants.expires_at > EXCLUDED.granted_at)),
           expires_at = EXCLUDED.expires_at, revoked_at = NULL`,
        // Several scopes at once are never an explicit grant: a special category is granted one at a time.
        [g.personId, g.brandId, scope, purpose, g.at, g.how, g.explicit && g.scopes.length === 1, g.expiresAt ?? null],
      );
}

/** Revokes grants of one brand (or of every brand when `brandId` is null), optionally only some scopes or purposes. */
export async function revokeGrants(
  db: Queryable,
  g: { personId: string; brandId: number | null; scopes?: string[]; purposes?: Purpose[]; at: Date },
): Promise<number> {
  const r = await db.query(
    `UPDATE grants SET revoked_at = $5 WHERE person_id = $1 AND ($2::bigint IS NULL OR brand_id = $2) AND revoked_at IS NULL
       AND ($3::text[] IS NULL OR scope = ANY($3)) AND ($4::text[] IS NULL OR purpose = ANY($4))`,
    [g.personId, g.brandId, g.scopes ?? null, g.purposes ?? null, g.at],
  );
  return r.rowCount ?? 0;
}
