/**
 * The trust score from the signals: every signal's weight fades with time (what the person did last year counts less
 * than what they did this week), and the score is the share of good points over all points with a cautious prior, so
 * it is always between 0 and 1, starts low for a brand the person has never dealt with, climbs with each two-way
 * interaction, and drops at once when they pull back.
 */

/** Good points halve in 90 days; bad points are remembered twice as long. */
export const POSITIVE_HALF_LIFE_DAYS = 90;
export const NEGATIVE_HALF_LIFE_DAYS = 180;
/** Signals older than this add less than 1% of their weight and are not read. */
export const HORIZON_DAYS = 3 * 365;
/** The prior: one good point against three, so a new relationship starts at 0.25 and is earned from there. */
const PRIOR_GOOD = 1;
const PRIOR_ALL = 4;

export type TrustLevel = 'new' | 'low' | 'medium' | 'high';

/** The level from the score; `new` while there is (almost) nothing to go on. */
export function levelOf(score: number, points: number): TrustLevel {
  if (points < 2) return 'new';
  if (score < 0.35) return 'low';
  if (score < 0.65) return 'medium';
  return 'high';
}

/** The score from decayed good and bad points (see `sql.ts` for the decay). */
export function scoreOf(good: number, bad: number): number {
  return (good + PRIOR_GOOD) / (good + bad + PRIOR_ALL);
}
