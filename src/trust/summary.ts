/**
 * What a brand may see of trust: counts of its customers per level, over the persons who granted it the analytics
 * purpose (through the gatekeeper), and only buckets of at least `MIN_BUCKET` persons (a smaller one could point at
 * someone). Never a person's score.
 */
import type { Queryable } from '../db/pool.js';
import { personsGranting } from '../gatekeeper/grants.js';
import { type TrustLevel, levelOf, scoreOf } from './score.js';
import { countsAt, pointsSelect } from './sql.js';

export const MIN_BUCKET = 5;
const LEVELS: TrustLevel[] = ['new', 'low', 'medium', 'high'];

export interface TrustSummary {
  /** Persons counted: those who granted the brand analytics. */
  persons: number;
  /** Persons per level; null when fewer than `min_bucket` (hidden, not zero). */
  levels: Record<TrustLevel, number | null>;
  min_bucket: number;
  /** Mean score over the persons counted, when there are at least `min_bucket` of them. */
  mean_score: number | null;
  at: Date;
}

export async function trustSummary(db: Queryable, brandId: number, at: Date): Promise<TrustSummary> {
  const persons = await personsGranting(db, brandId, 'analytics', at);
  const r = await db.query(
    `SELECT person_id, ${pointsSelect('$3::timestamptz')} FROM trust_signals
     WHERE brand_id = $1 AND person_id = ANY($2::uuid[]) AND ${countsAt('$3::timestamptz')} GROUP BY person_id`,
    [brandId, persons, at],
  );
  const counts: Record<TrustLevel, number> = { new: persons.length - r.rows.length, low: 0, medium: 0, high: 0 };
  let sum = scoreOf(0, 0) * counts.new;
  for (const x of r.rows) {
    const score = scoreOf(x.good, x.bad);
    sum += score;
    counts[levelOf(score, x.good + x.bad)]++;
  }
  const shown = (n: number) => (n >= MIN_BUCKET ? n : null);
  return {
    persons: persons.length,
    levels: Object.fromEntries(LEVELS.map((l) => [l, shown(counts[l])])) as Record<TrustLevel, number | null>,
    min_bucket: MIN_BUCKET,
    mean_score: persons.length >= MIN_BUCKET ? Math.round((sum / persons.length) * 1000) / 1000 : null,
    at,
  };
}
