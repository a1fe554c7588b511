import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { type Fact as SaidFact, type Sensitivity, factSensitivity } from '../conversation/understand/types.js';

export type Source = 'stated' | 'observed' | 'imported' | 'inferred';
export type Scope =
  | 'identity.name'
  | 'identity.contact'
  | 'profile.sizes'
  | 'profile.diet'
  | 'profile.allergies'
  | 'profile.likes'
  | 'profile.budget'
  | 'profile.dates'
  | 'profile.household'
  | 'gifts'
  | 'orders.other_brands'
  | 'location.city'
  | 'location.precise';

export interface StoredFact {
  id: string;
  about: string;
  kind: string;
  value: unknown;
  polarity: 'positive' | 'negative';
  source: Source;
  sourceBrandId: number | null;
  confidence: number;
  sensitivity: Sensitivity;
  scope: Scope;
  statedAt: Date;
  retiredUses: string[];
}

export type NewFact = Pick<SaidFact, 'about' | 'kind' | 'value'> & { polarity: 'positive' | 'negative' };

/** Which grant scope covers a fact: anything about another person is `gifts`. */
export function scopeOf(f: Pick<SaidFact, 'about' | 'kind'>, sensitivity: Sensitivity): Scope {
  if (f.about !== 'self') return 'gifts';
  switch (f.kind) {
    case 'diet':
      return 'profile.diet';
    case 'allergy':
      return 'profile.allergies';
    case 'size':
      return 'profile.sizes';
    case 'budget':
      return 'profile.budget';
    case 'date':
      return 'profile.dates';
    case 'household':
      return 'profile.household';
    case 'location':
      return sensitivity === 'precise_location' ? 'location.precise' : 'location.city';
    default:
      return 'profile.likes';
  }
}

/** One fact per value; one size per item, one date per occasion, one budget per thing, one diet value. */
function valueKey(kind: string, value: unknown): string {
  if (typeof value === 'string') return value.trim().toLowerCase();
  const v = value as Record<string, unknown>;
  if (kind === 'size') return `item:${String(v.item ?? '').toLowerCase()}`;
  if (kind === 'date') return `occasion:${String(v.occasion ?? '').toLowerCase()}`;
  if (kind === 'budget') return `for:${String(v.for ?? '').toLowerCase()}`;
  return JSON.stringify(value);
}

export const FACT_COLUMNS = `fact_id AS id, about, kind, value, polarity, source, source_brand_id AS "sourceBrandId", confidence,
  sensitivity, scope, stated_at AS "statedAt", retired_uses AS "retiredUses"`;

/**
 * Records facts. A stated fact replaces whatever was there for the same value (stated beats inferred);
 * an observed, imported or inferred fact never overwrites a stated one.
 */
export async function recordFacts(
  db: Queryable,
  personId: string,
  facts: NewFact[],
  provenance: { source: Source; confidence: number; at: Date; brandId?: number | null },
): Promise<StoredFact[]> {
  const stored: StoredFact[] = [];
  for (const f of facts) {
    if (f.kind === '*') throw new AppError('validation_failed', 'a fact needs a kind', '/kind');
    const sensitivity = factSensitivity({ ...f, polarity: f.polarity });
    const r = await db.query(
      `INSERT INTO facts (person_id, about, kind, value, value_key, polarity, source, source_brand_id, confidence, sensitivity, scope, stated_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT (person_id, about, kind, value_key) DO UPDATE SET value = EXCLUDED.value, polarity = EXCLUDED.polarity,
         source = EXCLUDED.source, source_brand_id = EXCLUDED.source_brand_id, confidence = EXCLUDED.confidence,
         sensitivity = EXCLUDED.sensitivity, scope = EXCLUDED.scope, stated_at = EXCLUDED.stated_at, updated_at = EXCLUDED.updated_at,
         retired_uses = CASE WHEN EXCLUDED.source = 'stated' THEN '{}' ELSE facts.retired_uses END
       WHERE EXCLUDED.source = 'stated' OR facts.source <> 'stated'
       RETURNING ${FACT_COLUMNS}`,
      [
        personId,
        f.about.toLowerCase(),
        f.kind,
        JSON.stringify(f.value),
        valueKey(f.kind, f.value),
        f.polarity,
        provenance.source,
        provenance.brandId ?? null,
        provenance.confidence,
        sensitivity,
        scopeOf(f, sensitivity),
        provenance.at,
      ],
    );
    if (r.rows[0]) stored.push(r.rows[0]);
  }
  return stored;
}

/**
 * Forgets what a retraction names, as narrowly as it was said: a whole person (`kind: '*'`), a whole kind
 * (`value: '*'`), a structured value by its key (size of shoes), or an exact value (diet vegan).
 */
export async function retractFacts(
  db: Queryable,
  personId: string,
  retractions: Array<Pick<SaidFact, 'about' | 'kind' | 'value'>>,
): Promise<StoredFact[]> {
  const removed: StoredFact[] = [];
  for (const f of retractions) {
    const about = f.about.toLowerCase();
    let r: { rows: StoredFact[] };
    if (f.kind === '*') {
      r = await db.query(`DELETE FROM facts WHERE person_id = $1 AND about = $2 RETURNING ${FACT_COLUMNS}`, [
        personId,
        about,
      ]);
    } else if (f.value === '*') {
      r = await db.query(
        `DELETE FROM facts WHERE person_id = $1 AND about = $2 AND kind = $3 RETURNING ${FACT_COLUMNS}`,
        [personId, about, f.kind],
      );
    } else {
      r = await db.query(
        `DELETE FROM facts WHERE person_id = $1 AND about = $2 AND kind = $3 AND value_key = $4 RETURNING ${FACT_COLUMNS}`,
        [personId, about, f.kind, valueKey(f.kind, f.value)],
      );
    }
    removed.push(...r.rows);
  }
  return removed;
}

/** Stated first, then by time. */
export const FACT_ORDER = `about <> 'self', about, CASE source WHEN 'stated' THEN 0 WHEN 'imported' THEN 1 WHEN 'observed' THEN 2 ELSE 3 END, stated_at DESC`;

/** Everything known about a person (their own view). */
export async function factsOf(db: Queryable, personId: string): Promise<StoredFact[]> {
  // A named statement (planned once per connection): every brand read and every turn of the chat reads these.
  const r = await db.query({
    name: 'profile.facts_of',
    text: `SELECT ${FACT_COLUMNS} FROM facts WHERE person_id = $1
     ORDER BY ${FACT_ORDER}`,
    values: [personId],
  });
  return r.rows;
}

export async function factById(db: Queryable, personId: string, factId: string): Promise<StoredFact | null> {
  const r = await db.query(`SELECT ${FACT_COLUMNS} FROM facts WHERE person_id = $1 AND fact_id = $2`, [
    personId,
    factId,
  ]);
  return r.rows[0] ?? null;
}

export async function deleteFact(db: Queryable, personId: string, factId: string): Promise<boolean> {
  const r = await db.query('DELETE FROM facts WHERE person_id = $1 AND fact_id = $2', [personId, factId]);
  return (r.rowCount ?? 0) > 0;
}

/** The person objected to a use of a fact ("too creepy"): that use is retired for good. */
export async function retireFactUse(db: Queryable, personId: string, factIds: string[], use: string): Promise<number> {
  if (factIds.length === 0) return 0;
  const r = await db.query(
    `UPDATE facts SET retired_uses = array_append(retired_uses, $3), updated_at = now()
     WHERE person_id = $1 AND fact_id = ANY($2::uuid[]) AND NOT ($3 = ANY(retired_uses))`,
    [personId, factIds, use],
  );
  return r.rowCount ?? 0;
}

/** Month names, for dates said back to a shopper. */
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Size letters as people say them. */
export const SIZE_WORDS: Record<string, string> = {
  XS: 'extra small',
  S: 'small',
  M: 'medium',
  L: 'large',
  XL: 'extra large',
  XXL: 'XXL',
};

/** How a fact reads to a shopper: "gluten-free", "a medium (shirt)", "birthday on June 3". */
export function describeFact(f: Pick<StoredFact, 'kind' | 'value' | 'polarity' | 'about'>): string {
  const v = f.value as Record<string, unknown> | string;
  let text: string;
  switch (f.kind) {
    case 'diet':
      text = String(v).replace(/_/g, '-');
      break;
    case 'allergy':
      text = `allergic to ${String(v).replace(/_/g, ' ')}`;
      break;
    case 'size': {
      const s = v as { item?: string; size?: string };
      text = `${s.item ?? 'size'} size ${s.size ? (SIZE_WORDS[s.size] ?? s.size) : ''}`.trim();
      break;
    }
    case 'budget': {
      const b = v as { max?: number; currency?: string; for?: string };
      text = `budget ${b.currency === 'USD' || !b.currency ? '$' : `${b.currency} `}${b.max}${b.for ? ` for ${b.for}` : ''}`;
      break;
    }
    case 'date': {
      const d = v as { occasion?: string; month?: number; day?: number };
      text = `${d.occasion ?? 'date'}${d.month ? `${d.day ? ` on ${MONTH_NAMES[d.month - 1]} ${d.day}` : ` in ${MONTH_NAMES[d.month - 1]}`}` : ''}`;
      break;
    }
    case 'like':
      text = f.polarity === 'negative' ? `doesn't like ${v}` : `likes ${v}`;
      break;
    case 'dislike':
      text = `doesn't like ${v}`;
      break;
    case 'brand':
      text = f.polarity === 'negative' ? `avoids ${v}` : `likes ${v}`;
      break;
    default:
      text = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (f.kind === 'diet' && f.polarity === 'negative') text = `not ${text}`;
  return text;
}

/** A fact as anyone reading it through the API sees it: what it says, where it came from, how sure, how sensitive. */
export function factOut(f: StoredFact) {
  return {
    scope: f.scope,
    about: f.about,
    kind: f.kind,
    value: f.value,
    text: describeFact(f),
    polarity: f.polarity,
    source: f.source,
    confidence: f.confidence,
    sensitivity: f.sensitivity,
  };
}
