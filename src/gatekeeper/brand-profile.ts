/**
 * What a brand reads about a person, by the pseudonymous id it knows them by: only granted facts for the purpose
 * of the call, each with where it came from and when. The read is audited by `viewFor`.
 */
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { personForPseudonym } from '../people/people.js';
import { describeFact } from '../profile/facts.js';
import { type Purpose, viewFor } from './view.js';

export interface SharedFact {
  scope: string;
  about: string;
  kind: string;
  value: unknown;
  text: string;
  polarity: 'positive' | 'negative';
  source: string;
  confidence: number;
  sensitivity: string;
  at: Date;
}

/**
 * A brand may look a person up only while there is something between them: a confirmed link, or a grant in force.
 * Otherwise the pid is as unknown as a made-up one (404), so a pid that leaked from elsewhere reveals nothing.
 */
async function personForBrand(ctx: AppContext, brandId: number, pid: string): Promise<string> {
  const personId = await personForPseudonym(ctx.db, brandId, pid);
  const r = await ctx.db.query(
    `SELECT EXISTS (SELECT 1 FROM brand_customers WHERE person_id = $1 AND brand_id = $2 AND confirmed_at IS NOT NULL)
         OR EXISTS (SELECT 1 FROM grants WHERE person_id = $1 AND brand_id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)) AS ok`,
    [personId, brandId, ctx.now()],
  );
  if (!r.rows[0].ok) throw new AppError('not_found', `no person with id "${pid}" for this brand`, '/params/pid');
  return personId;
}

/** The profile a brand may see. Fact ids are left out: they are the same for every brand and would link the person across brands. */
export async function profileForBrand(ctx: AppContext, brandId: number, pid: string, purpose: Purpose, call: string): Promise<{ pid: string; purpose: Purpose; facts: SharedFact[] }> {
  const personId = await personForBrand(ctx, brandId, pid);
  const view = await viewFor(ctx, brandId, personId, purpose, call);
  return {
    pid,
    purpose,
    facts: view.facts.map((f) => ({
      scope: f.scope,
      about: f.about,
      kind: f.kind,
      value: f.value,
      text: describeFact(f),
      polarity: f.polarity,
      source: f.source,
      confidence: f.confidence,
      sensitivity: f.sensitivity,
      at: f.statedAt,
    })),
  };
}
