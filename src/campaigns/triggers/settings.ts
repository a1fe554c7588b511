/** Which triggers a brand switched on (every one is off until the brand says otherwise). */
import type { Queryable } from '../../db/pool.js';
import { TRIGGERS, type TriggerName } from './kinds.js';

export async function triggerSettings(db: Queryable, brandId: number): Promise<Record<TriggerName, boolean>> {
  const r = await db.query('SELECT trigger, enabled FROM trigger_settings WHERE brand_id = $1', [brandId]);
  const on = new Map(r.rows.map((x) => [x.trigger as string, x.enabled as boolean]));
  return Object.fromEntries(TRIGGERS.map((t) => [t, on.get(t) ?? false])) as Record<TriggerName, boolean>;
}

export async function setTriggers(
  db: Queryable,
  brandId: number,
  changes: Partial<Record<TriggerName, boolean>>,
  now: Date,
): Promise<Record<TriggerName, boolean>> {
  const names = Object.keys(changes) as TriggerName[];
  if (names.length)
    await db.query(
      `INSERT INTO trigger_settings (brand_id, trigger, enabled, updated_at)
       SELECT $1, t, e, $4 FROM unnest($2::text[], $3::boolean[]) AS x(t, e)
       ON CONFLICT (brand_id, trigger) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`,
      [brandId, names, names.map((n) => changes[n]), now],
    );
  return triggerSettings(db, brandId);
}

/** The brands with a trigger on, and which, with when each last ran. */
export async function enabledTriggers(
  db: Queryable,
): Promise<Array<{ brandId: number; trigger: TriggerName; lastRunAt: Date | null }>> {
  const r = await db.query(
    'SELECT brand_id, trigger, last_run_at FROM trigger_settings WHERE enabled ORDER BY brand_id, trigger',
  );
  return r.rows
    .filter((x) => (TRIGGERS as readonly string[]).includes(x.trigger))
    .map((x) => ({ brandId: Number(x.brand_id), trigger: x.trigger, lastRunAt: x.last_run_at }));
}

export async function markRun(db: Queryable, brandId: number, triggers: TriggerName[], at: Date) {
  await db.query('UPDATE trigger_settings SET last_run_at = $3 WHERE brand_id = $1 AND trigger = ANY($2)', [
    brandId,
    triggers,
    at,
  ]);
}
