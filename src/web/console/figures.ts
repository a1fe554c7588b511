/**
 * The console's figures. Each is a count per day or per scope, never a row about a person. What comes from a
 * person's own conversations (conversations, intents) counts only the people who let this brand use their data
 * for `analytics` (an active grant of that purpose); the brand's own operations (its grants, its handoff queue,
 * the widget's recommendation counters, which hold no person) are counted whole.
 */
import type { Queryable } from '../../db/pool.js';
import { trustSummary } from '../../trust/summary.js';

export interface Figures {
  days: string[];
  conversations: number[];
  intents: Record<string, number[]>;
  grants: { scopes: string[]; given: number[]; revoked: number[] };
  handoffs: { opened: number[]; answered: number[]; waiting: number };
  recommendations: { shown: number[]; clicked: number[] };
  /** People per trust level, over those who granted analytics; a level with fewer than `minBucket` is null. */
  trust: { levels: Record<'new' | 'low' | 'medium' | 'high', number | null>; minBucket: number };
  /** How many people's conversations the analytics figures may count (those who granted it). */
  analyticsPeople: number;
}

const ANALYTICS_COHORT = `SELECT DISTINCT person_id FROM grants WHERE brand_id = $1 AND purpose = 'analytics'
  AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`;

export async function consoleFigures(db: Queryable, brandId: number, now: Date, dayCount = 14): Promise<Figures> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (dayCount - 1)));
  const days = Array.from({ length: dayCount }, (_, i) =>
    new Date(start.getTime() + i * 86400000).toISOString().slice(0, 10),
  );
  const index = new Map(days.map((d, i) => [d, i]));
  const series = () => days.map(() => 0);
  const dayOf = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

  const cohort = await db.query(`SELECT count(*)::int AS n FROM (${ANALYTICS_COHORT}) c`, [brandId, now]);

  const talk = await db.query(
    `SELECT (m.at AT TIME ZONE 'UTC')::date::text AS day, COALESCE(m.understood->>'intent', 'other') AS intent, count(*)::int AS n
     FROM conversation_messages m
     WHERE m.brand_id = $1 AND m.role = 'shopper' AND m.at >= $3 AND m.at <= $2
       AND m.person_id IN (${ANALYTICS_COHORT})
     GROUP BY 1, 2`,
    [brandId, now, start],
  );
  const conversations = series();
  const intents: Record<string, number[]> = {};
  for (const r of talk.rows) {
    const i = index.get(dayOf(r.day));
    if (i !== undefined) (intents[r.intent] ??= series())[i] += r.n;
  }
  const perDay = await db.query(
    `SELECT (m.at AT TIME ZONE 'UTC')::date::text AS day, count(DISTINCT m.person_id)::int AS people
     FROM conversation_messages m
     WHERE m.brand_id = $1 AND m.role = 'shopper' AND m.at >= $3 AND m.at <= $2
       AND m.person_id IN (${ANALYTICS_COHORT})
     GROUP BY 1`,
    [brandId, now, start],
  );
  for (const r of perDay.rows) {
    const i = index.get(dayOf(r.day));
    if (i !== undefined) conversations[i] = r.people;
  }

  const grants = await db.query(
    `SELECT scope, count(*) FILTER (WHERE granted_at >= $2)::int AS given,
       count(*) FILTER (WHERE revoked_at >= $2)::int AS revoked
     FROM grants WHERE brand_id = $1 AND (granted_at >= $2 OR revoked_at >= $2) GROUP BY scope ORDER BY scope`,
    [brandId, start],
  );

  const handoffs = await db.query(
    `SELECT (created_at AT TIME ZONE 'UTC')::date::text AS day, 'opened' AS what, count(*)::int AS n FROM handoffs
       WHERE brand_id = $1 AND created_at >= $2 GROUP BY 1
     UNION ALL
     SELECT (answered_at AT TIME ZONE 'UTC')::date::text, 'answered', count(*)::int FROM handoffs
       WHERE brand_id = $1 AND answered_at >= $2 GROUP BY 1`,
    [brandId, start],
  );
  const opened = series();
  const answered = series();
  for (const r of handoffs.rows) {
    const i = index.get(dayOf(r.day));
    if (i !== undefined) (r.what === 'opened' ? opened : answered)[i] = r.n;
  }
  const waiting = await db.query(`SELECT count(*)::int AS n FROM handoffs WHERE brand_id = $1 AND status = 'open'`, [
    brandId,
  ]);

  const recs = await db.query(
    `SELECT day::text AS day, kind, n::int FROM widget_counters WHERE brand_id = $1 AND day >= $2`,
    [brandId, start],
  );
  const shown = series();
  const clicked = series();
  for (const r of recs.rows) {
    const i = index.get(dayOf(r.day));
    if (i !== undefined) (r.kind === 'recommendation_shown' ? shown : clicked)[i] = r.n;
  }

  const trust = await trustSummary(db, brandId, now);

  return {
    days,
    trust: { levels: trust.levels, minBucket: trust.min_bucket },
    conversations,
    intents,
    grants: {
      scopes: grants.rows.map((r) => r.scope),
      given: grants.rows.map((r) => r.given),
      revoked: grants.rows.map((r) => r.revoked),
    },
    handoffs: { opened, answered, waiting: waiting.rows[0].n },
    recommendations: { shown, clicked },
    analyticsPeople: cohort.rows[0].n,
  };
}
