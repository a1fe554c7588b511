/** Recording a signal: one row of history, and for "too creepy" the retirement of each fact's use for that brand. */
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { SIGNAL_KINDS, SIGNAL_WEIGHTS, type TrustSignal } from './signals.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(s: TrustSignal) {
  if (!SIGNAL_KINDS.includes(s.kind))
    throw new AppError('validation_failed', `unknown trust signal ${s.kind}`, '/kind');
  if (!Number.isInteger(s.brandId) || s.brandId <= 0)
    throw new AppError('validation_failed', 'a trust signal is between a person and a brand', '/brandId');
  if (!(s.at instanceof Date) || Number.isNaN(s.at.getTime()))
    throw new AppError('validation_failed', 'a trust signal needs its time', '/at');
  for (const id of factIdsOf(s))
    if (!UUID.test(id)) throw new AppError('validation_failed', `not a fact id: ${id}`, '/factId');
}

const factIdsOf = (s: TrustSignal) => [...new Set([...(s.factId ? [s.factId] : []), ...(s.factIds ?? [])])];

/**
 * Records what happened between a person and a brand. Call it inside the transaction that did the thing (the chat
 * turn, the order), so the signal commits with it. Returns false when a signal with the same `ref` was recorded before.
 */
export async function recordTrustSignal(db: Queryable, s: TrustSignal): Promise<boolean> {
  check(s);
  const r = await db.query(
    `INSERT INTO trust_signals (person_id, brand_id, kind, weight, fact_id, ref, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (person_id, brand_id, kind, ref) WHERE ref IS NOT NULL DO NOTHING`,
    [s.personId, s.brandId, s.kind, SIGNAL_WEIGHTS[s.kind], factIdsOf(s)[0] ?? null, s.ref ?? null, s.at],
  );
  if (!r.rowCount) return false;
  const facts = factIdsOf(s);
  if (s.kind === 'too_creepy' && facts.length) {
    await db.query(
      `INSERT INTO fact_use_retirements (person_id, brand_id, fact_id, purpose, retired_at)
       SELECT $1, $2, f, $4, $5 FROM unnest($3::uuid[]) AS f
       WHERE NOT EXISTS (SELECT 1 FROM fact_use_retirements x WHERE x.person_id = $1 AND x.brand_id = $2 AND x.fact_id = f)`,
      [s.personId, s.brandId, facts, s.purpose ?? 'recommendations', s.at],
    );
  }
  return true;
}

/**
 * Many signals at once (orders written in bulk), one statement; repeats of a `ref` are ignored. Facts are not retired
 * here: "too creepy" goes through `recordTrustSignal`.
 */
export async function recordTrustSignals(db: Queryable, signals: TrustSignal[]): Promise<number> {
  if (signals.length === 0) return 0;
  for (const s of signals) {
    check(s);
    if (s.kind === 'too_creepy') throw new AppError('bad_request', '"too creepy" is recorded one at a time');
  }
  const r = await db.query(
    `INSERT INTO trust_signals (person_id, brand_id, kind, weight, ref, at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::float8[], $5::text[], $6::timestamptz[])
     ON CONFLICT (person_id, brand_id, kind, ref) WHERE ref IS NOT NULL DO NOTHING`,
    [
      signals.map((s) => s.personId),
      signals.map((s) => s.brandId),
      signals.map((s) => s.kind),
      signals.map((s) => SIGNAL_WEIGHTS[s.kind]),
      signals.map((s) => s.ref ?? null),
      signals.map((s) => s.at),
    ],
  );
  return r.rowCount ?? 0;
}
