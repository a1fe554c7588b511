/**
 * What a brand reads about a person, by the pseudonymous id it knows them by: only granted facts for the purpose
 * of the call, each with where it came from and when. The read is audited by `viewFor`.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { factOut } from '../profile/facts.js';
import { type Purpose, viewFor } from './view.js';

export type SharedFact = ReturnType<typeof factOut> & { at: Date };

/**
 * A brand may look a person up only while there is something between them: a confirmed link, or a grant in force.
 * Otherwise the pid is as unknown as a made-up one (404), so a pid that leaked from elsewhere reveals nothing.
 */
export async function personForBrand(ctx: AppContext, brandId: number, pid: string): Promise<string> {
  // One round trip, planned once per connection (a named statement): this sits on every brand read.
  const r = await ctx.db.query({
    name: 'gatekeeper.person_for_brand',
    text: `SELECT p.person_id FROM pseudonyms p WHERE p.brand_id = $1 AND p.pid = $2
       AND (EXISTS (SELECT 1 FROM brand_customers bc WHERE bc.person_id = p.person_id AND bc.brand_id = $1 AND bc.confirmed_at IS NOT NULL)
         OR EXISTS (SELECT 1 FROM grants g WHERE g.person_id = p.person_id AND g.brand_id = $1 AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $3)))`,
    values: [brandId, pid, ctx.now()],
  });
  if (r.rowCount === 0) throw new AppError('not_found', `no person with id "${pid}" for this brand`, '/params/pid');
  return r.rows[0].person_id;
}

/** The profile a brand may see. Fact ids are left out: they are the same for every brand and would link the person across brands. */
export async function profileForBrand(ctx: AppContext, brandId: number, pid: string, purpose: Purpose, call: string): Promise<{ pid: string; purpose: Purpose; facts: SharedFact[] }> {
  const personId = await personForBrand(ctx, brandId, pid);
  const view = await viewFor(ctx, brandId, personId, purpose, call);
  return {
    pid,
    purpose,
    facts: view.facts.map((f) => ({ ...factOut(f), at: f.statedAt })),
  };
}
