/**
 * What a brand's data shows about its customers becomes facts, each marked with the brand it came from: a
 * product bought again and again is an observed habit ("likes plain bagel"), a birthday in its identify
 * traits an imported date. A stated fact is never overwritten
 * by one of these, and the brand's own habit facts are the only ones it sees without a grant.
 */
import type { Queryable } from '../db/pool.js';
import { type NewFact, recordFacts } from './facts.js';

/** Bought in this many separate orders before it counts as a habit rather than a purchase. */
export const HABIT_ORDERS = 3;
/** A person's strongest habits per brand; a wholesaler's hundred repeat lines are not a hundred likes. */
const HABITS_PER_BRAND = 5;

/**
 * Records the habits seen in `brandId`'s orders, for the given persons (all of the brand's customers when
 * none are given). Idempotent: re-running updates confidence and time, never duplicates.
 */
export async function observeHabits(db: Queryable, brandId: number, personIds?: readonly string[]): Promise<number> {
  const r = await db.query(
    `WITH bought AS (
       SELECT oi.person_id, btrim(lower(regexp_replace(regexp_replace(max(oi.name), '\\s*\\([^)]*\\)', '', 'g'), '\\s+', ' ', 'g'))) AS thing,
              count(DISTINCT oi.order_id) AS orders, max(o.placed_at) AS last_at
       FROM order_items oi JOIN orders o USING (person_id, brand_id, order_id)
       WHERE oi.brand_id = $1 AND oi.status = 'ok' AND o.status <> 'cancelled' AND ($2::uuid[] IS NULL OR oi.person_id = ANY($2))
       GROUP BY oi.person_id, oi.product_id
       HAVING count(DISTINCT oi.order_id) >= $3
     ), strongest AS (
       SELECT DISTINCT ON (person_id, thing) * FROM (
         SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY orders DESC, last_at DESC) AS rank FROM bought
       ) ranked WHERE rank <= $4 AND thing <> '' ORDER BY person_id, thing, orders DESC
     )
     INSERT INTO facts (person_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at)
     SELECT person_id, 'self', 'like', to_jsonb(thing), thing, 'positive', 'observed', $1, least(0.9, 0.3 + 0.1 * orders), 'low', 'profile.likes', last_at, now()
     FROM strongest
     ON CONFLICT (person_id, about, kind, value_key) DO UPDATE SET confidence = EXCLUDED.confidence, stated_at = EXCLUDED.stated_at, updated_at = now()
       WHERE facts.source <> 'stated'`,
    [brandId, personIds ? [...new Set(personIds)] : null, HABIT_ORDERS, HABITS_PER_BRAND],
  );
  return r.rowCount ?? 0;
}

/**
 * Segment's reserved identify traits that are facts about the person: a birthday and the city they live in.
 * The street address stays with the brand (a precise location is never imported into the profile).
 */
export async function importTraits(
  db: Queryable,
  brandId: number,
  personId: string,
  traits: Record<string, unknown>,
  at: Date,
): Promise<number> {
  const facts: NewFact[] = [];
  const birthday = typeof traits.birthday === 'string' ? /^(?:\d{4}-)?(\d{2})-(\d{2})/.exec(traits.birthday) : null;
  if (birthday) {
    const [month, day] = [Number(birthday[1]), Number(birthday[2])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31)
      facts.push({ about: 'self', kind: 'date', value: { occasion: 'birthday', month, day }, polarity: 'positive' });
  }
  const address = traits.address as Record<string, unknown> | undefined;
  const city = typeof address?.city === 'string' ? address.city.trim().toLowerCase() : '';
  if (city) facts.push({ about: 'self', kind: 'location', value: city, polarity: 'positive' });
  if (facts.length === 0) return 0;
  return (await recordFacts(db, personId, facts, { source: 'imported', confidence: 0.8, at, brandId })).length;
}
