/** Fact uses a person retired for a brand by saying "too creepy". */
import type { Queryable } from '../db/pool.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the person told this brand not to use this fact (for anything) again. */
export async function isFactUseRetired(
  db: Queryable,
  personId: string,
  brandId: number,
  factId: string,
): Promise<boolean> {
  if (!UUID.test(factId)) return false;
  const r = await db.query({
    name: 'trust.retired',
    text: 'SELECT 1 FROM fact_use_retirements WHERE person_id = $1 AND brand_id = $2 AND fact_id = $3::uuid LIMIT 1',
    values: [personId, brandId, factId],
  });
  return (r.rowCount ?? 0) > 0;
}

/** The facts whose use this brand retired, of those given (one query for a message's facts). */
export async function retiredFactIds(
  db: Queryable,
  personId: string,
  brandId: number,
  factIds?: string[],
): Promise<Set<string>> {
  const ids = factIds?.filter((id) => UUID.test(id)) ?? null;
  if (ids && ids.length === 0) return new Set();
  const r = await db.query(
    `SELECT DISTINCT fact_id::text AS id FROM fact_use_retirements
     WHERE person_id = $1 AND brand_id = $2 AND ($3::uuid[] IS NULL OR fact_id = ANY($3::uuid[]))`,
    [personId, brandId, ids],
  );
  return new Set(r.rows.map((x) => x.id as string));
}

/** Every retirement of a person, for their page: which brand, which fact, the use, when. */
export async function retirementsOf(
  db: Queryable,
  personId: string,
): Promise<Array<{ brandId: number; factId: string; purpose: string; retiredAt: Date }>> {
  const r = await db.query(
    `SELECT brand_id, fact_id::text AS fact_id, purpose, retired_at FROM fact_use_retirements WHERE person_id = $1
     ORDER BY retired_at, retirement_id`,
    [personId],
  );
  return r.rows.map((x) => ({
    brandId: Number(x.brand_id),
    factId: x.fact_id,
    purpose: x.purpose,
    retiredAt: x.retired_at,
  }));
}
