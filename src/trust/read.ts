/** Reading trust: one pair's score, level and words, and every brand a person has dealt with. */
import type { Queryable } from '../db/pool.js';
import { type TrustLevel, levelOf, scoreOf } from './score.js';
import type { SignalKind } from './signals.js';
import { countsAt, pointsSelect } from './sql.js';
import { trustWords } from './words.js';

export interface Trust {
  /** 0..1 */
  score: number;
  level: TrustLevel;
  /** What happened, in the person's words: "you've talked often and bought twice". */
  words: string;
}

/** Trust from a pair's summed points and counts. */
export function trustOf(good: number, bad: number, counts: Partial<Record<SignalKind, number>>): Trust {
  const score = scoreOf(good, bad);
  const level = levelOf(score, good + bad);
  return { score: Math.round(score * 1000) / 1000, level, words: trustWords(counts, level) };
}

/** Points and counts per kind, then per pair: `$at` is the time they are worked out for. */
const byKind = (at: string, where: string, by: string) => `
  SELECT ${by}, kind, count(*)::int AS n, ${pointsSelect(at)} FROM trust_signals
  WHERE ${where} AND ${countsAt(at)} GROUP BY ${by}, kind`;

// Without a time, as of the pair's last signal: the same answer whatever the clock (pass \`at\` for the decay since).
const PAIR_AT = `coalesce($3::timestamptz,
  (SELECT max(at) FROM trust_signals WHERE person_id = $1 AND brand_id = $2), '-infinity'::timestamptz)`;
const PAIR = `SELECT coalesce(sum(good), 0)::float8 AS good, coalesce(sum(bad), 0)::float8 AS bad,
  coalesce(jsonb_object_agg(kind, n), '{}') AS counts
  FROM (${byKind(PAIR_AT, 'person_id = $1 AND brand_id = $2', 'brand_id')}) k`;

/**
 * Trust between a person and a brand as of `at` (pass the caller's "now"; without it, as of the pair's last signal,
 * so nothing has faded since). A brand the person never dealt with is `new`.
 */
export async function trustBetween(db: Queryable, personId: string, brandId: number, at?: Date): Promise<Trust> {
  const r = await db.query({
    name: 'trust.between',
    text: PAIR,
    values: [personId, brandId, at ?? null],
  });
  const row = r.rows[0];
  return trustOf(row.good, row.bad, row.counts);
}

/** Trust with every brand a person has signals with, as of `at`. */
export async function trustOfPerson(
  db: Queryable,
  personId: string,
  at: Date,
): Promise<Array<{ brandId: number; trust: Trust }>> {
  const r = await db.query(
    `SELECT brand_id, sum(good)::float8 AS good, sum(bad)::float8 AS bad, jsonb_object_agg(kind, n) AS counts
     FROM (${byKind('$2::timestamptz', 'person_id = $1', 'brand_id')}) k GROUP BY brand_id ORDER BY brand_id`,
    [personId, at],
  );
  return r.rows.map((x) => ({ brandId: Number(x.brand_id), trust: trustOf(x.good, x.bad, x.counts) }));
}
