/**
 * What a brand reads about a person, by the pseudonymous id it knows them by: only granted facts for the purpose
 * of the call, each with where it came from and when. The read is audited by `viewFor`.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { FACT_COLUMNS, FACT_ORDER, factOut, type StoredFact } from '../profile/facts.js';
import { type ActiveGrant, auditedView, type PersonView, type Purpose } from './view.js';

export type SharedFact = ReturnType<typeof factOut> & { at: Date };

/**
 * The view a brand gets of the person it knows by `pid`, read in one round trip (the pid, the link, the grants and
 * the facts: this sits on every brand read), then audited. A brand may look a person up only while there is
 * something between them: a confirmed link, or a grant in force. Otherwise the pid is as unknown as a made-up one
 * (404 at `where`), so a pid that leaked from elsewhere reveals nothing.
 */
export async function brandView(ctx: Pick<AppContext, 'db' | 'now'>, brandId: number, pid: string, purpose: Purpose, call: string, action: string, where: string): Promise<PersonView> {
  const at = ctx.now();
  const r = await ctx.db.query({
    name: 'gatekeeper.brand_view',
    text: `SELECT p.person_id AS "personId",
         (SELECT coalesce(json_agg(json_build_object('scope', g.scope, 'explicit', g.explicit)), '[]') FROM grants g
           WHERE g.person_id = p.person_id AND g.brand_id = $1 AND g.purpose = $3 AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $4)) AS grants,
         (SELECT coalesce(json_agg(f), '[]') FROM (SELECT ${FACT_COLUMNS} FROM facts WHERE person_id = p.person_id ORDER BY ${FACT_ORDER}) f) AS facts
       FROM pseudonyms p WHERE p.brand_id = $1 AND p.pid = $2
       AND (EXISTS (SELECT 1 FROM brand_customers bc WHERE bc.person_id = p.person_id AND bc.brand_id = $1 AND bc.confirmed_at IS NOT NULL)
         OR EXISTS (SELECT 1 FROM grants g WHERE g.person_id = p.person_id AND g.brand_id = $1 AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $4)))`,
    values: [brandId, pid, purpose, at],
  });
  if (r.rowCount === 0) throw new AppError('not_found', `no person with id "${pid}" for this brand`, where);
  const { personId, grants, facts } = r.rows[0] as { personId: string; grants: ActiveGrant[]; facts: Array<StoredFact & { statedAt: string }> };
  for (const f of facts) (f as StoredFact).statedAt = new Date(f.statedAt);
  return auditedView(ctx.db, { personId, brandId, purpose, grants, facts: facts as StoredFact[], call, action, at });
}

/** The profile a brand may see. Fact ids are left out: they are the same for every brand and would link the person across brands. */
export async function profileForBrand(ctx: AppContext, brandId: number, pid: string, purpose: Purpose, call: string): Promise<{ pid: string; purpose: Purpose; facts: SharedFact[] }> {
  const view = await brandView(ctx, brandId, pid, purpose, call, 'read_profile', '/params/pid');
  return {
    pid,
    purpose,
    facts: view.facts.map((f) => ({ ...factOut(f), at: f.statedAt })),
  };
}
