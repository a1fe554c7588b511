/**
 * What a brand reads about a person, by the pseudonymous id it knows them by: only granted facts for the purpose
 * of the call, each with where it came from and when. The read is audited.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { FACT_COLUMNS, FACT_ORDER, factOut, type StoredFact } from '../profile/facts.js';
import type { Queryable } from '../db/pool.js';
import { type ActiveGrant, auditedView, type PersonView, type Purpose } from './view.js';
import { viewFor } from './view-for.js';

export type SharedFact = ReturnType<typeof factOut> & { at: Date };

/** A person as one brand may reach them (every grant of the brand, in force or not), as read in `snapshot`. */
interface BrandPerson {
  personId: string;
  snapshot: string;
  readAt: number;
  linked: boolean;
  grants: Array<ActiveGrant & { purpose: Purpose; expiresAt: number | null }>;
  facts: StoredFact[];
}

/**
 * Brand reads by the thousand a second read the same people again and again: each process keeps what it read, per
 * pool, for a minute (the change log keeps far longer: 045_person_changes). A kept view is used only if no change of
 * the person committed outside its snapshot when the read's audit entry is written (see `audit`), so a change
 * committed anywhere is seen by the next read. Bounded; dropped whole when full.
 */
const CACHE_LIMIT = 50_000;
const KEEP_MS = 60_000;
const cached = new WeakMap<Queryable, Map<string, BrandPerson>>();

async function readBrandPerson(db: Queryable, brandId: number, pid: string, at: Date): Promise<BrandPerson | null> {
  const r = await db.query({
    name: 'gatekeeper.brand_person',
    // One round trip (this sits on every brand read): the pid, the version, the link, the grants and the facts.
    text: `SELECT p.person_id AS "personId", pg_current_snapshot()::text AS snapshot,
         EXISTS (SELECT 1 FROM brand_customers bc WHERE bc.person_id = p.person_id AND bc.brand_id = $1 AND bc.confirmed_at IS NOT NULL) AS linked,
         (SELECT coalesce(json_agg(json_build_object('scope', g.scope, 'purpose', g.purpose, 'explicit', g.explicit,
            'expiresAt', (extract(epoch FROM g.expires_at) * 1000)::float8)), '[]') FROM grants g
           WHERE g.person_id = p.person_id AND g.brand_id = $1 AND g.revoked_at IS NULL) AS grants,
         (SELECT coalesce(json_agg(f), '[]') FROM (SELECT ${FACT_COLUMNS} FROM facts WHERE person_id = p.person_id ORDER BY ${FACT_ORDER}) f) AS facts
       FROM pseudonyms p WHERE p.brand_id = $1 AND p.pid = $2`,
    values: [brandId, pid],
  });
  if (r.rowCount === 0) return null;
  const person = r.rows[0] as BrandPerson;
  person.readAt = at.getTime();
  for (const f of person.facts) f.statedAt = new Date(f.statedAt);
  return person;
}

/**
 * The view a brand gets of the person it knows by `pid`, audited. A brand may look a person up only while there is
 * something between them: a confirmed link, or a grant in force. Otherwise the pid is as unknown as a made-up one
 * (404 at `where`), so a pid that leaked from elsewhere reveals nothing. A `fence` goes out with the audit entry.
 * Views are kept per pool for a minute of the injected clock. (Called through `viewFor`, gatekeeper/view-for.ts.)
 */
export async function viewByPid(
  db: Queryable,
  r: {
    brandId: number;
    pid: string;
    purpose: Purpose;
    call: string;
    action: string;
    where: string;
    at: Date;
    inTransaction: boolean;
    fence?: string;
  },
): Promise<PersonView> {
  const { brandId, pid, purpose, call, action, where, at, fence, inTransaction } = r;
  let people = cached.get(db);
  if (!people) cached.set(db, (people = new Map()));
  const key = `${brandId}:${pid}`;
  // The view of a person read at `snapshot` (none: just now), or null if there is nothing between them any more or,
  // for a kept one, if the person changed since.
  const viewOf = async (person: BrandPerson, snapshot?: string) => {
    const inForce = person.grants.filter((g) => g.expiresAt === null || g.expiresAt > at.getTime());
    if (!person.linked && inForce.length === 0) return null;
    const grants = inForce.filter((g) => g.purpose === purpose);
    return auditedView(db, {
      inTransaction,
      personId: person.personId,
      brandId,
      purpose,
      grants,
      facts: person.facts,
      call,
      action,
      at,
      snapshot,
      fence,
    });
  };
  const kept = people.get(key);
  if (kept && kept.readAt >= at.getTime() - KEEP_MS) {
    const view = await viewOf(kept, kept.snapshot);
    if (view) return view;
  }
  people.delete(key);
  const person = await readBrandPerson(db, brandId, pid, at);
  const view = person && (await viewOf(person));
  if (!view) throw new AppError('not_found', `no person with id "${pid}" for this brand`, where);
  if (people.size >= CACHE_LIMIT) people.clear();
  people.set(key, person);
  return view;
}

/** The profile a brand may see. Fact ids are left out: they are the same for every brand and would link the person across brands. */
export async function profileForBrand(
  ctx: AppContext,
  brandId: number,
  pid: string,
  purpose: Purpose,
  call: string,
): Promise<{ pid: string; purpose: Purpose; facts: SharedFact[] }> {
  const view = await viewFor(ctx.db, {
    viewer: { brand: brandId },
    person: { pid, where: '/params/pid' },
    purpose,
    call,
    at: ctx.now(),
    inTransaction: false,
  });
  return {
    pid,
    purpose,
    facts: view.facts.map((f) => ({ ...factOut(f), at: f.statedAt })),
  };
}
