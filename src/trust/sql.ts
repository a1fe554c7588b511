/**
 * The decay of a signal's weight, in SQL, so a pair's points are summed where the rows are: a weight given `age` ago
 * counts `|weight| * 0.5 ^ (age / half-life)`, with a longer half-life for bad points (see `score.ts`).
 */
import { HORIZON_DAYS, NEGATIVE_HALF_LIFE_DAYS, POSITIVE_HALF_LIFE_DAYS } from './score.js';

/** `$at` is the parameter holding the time the points are worked out for. */
export const pointsSelect = (at: string) => `
  coalesce(sum(weight * power(0.5, greatest(0, extract(epoch FROM ${at} - at)) / ${86400 * POSITIVE_HALF_LIFE_DAYS}))
    FILTER (WHERE weight >= 0), 0)::float8 AS good,
  coalesce(sum(-weight * power(0.5, greatest(0, extract(epoch FROM ${at} - at)) / ${86400 * NEGATIVE_HALF_LIFE_DAYS}))
    FILTER (WHERE weight < 0), 0)::float8 AS bad`;

/** Signals that still count at `$at`: given before it, within the horizon. */
export const countsAt = (at: string) => `at <= ${at} AND at > ${at} - interval '${HORIZON_DAYS} days'`;
