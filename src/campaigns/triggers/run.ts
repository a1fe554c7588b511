/**
 * A run of the triggers: for each brand, each trigger it switched on that is due looks at its data, and each firing
 * whose window has not fired yet goes to the messaging room with a key derived from the trigger, the window and the
 * person (`triggeredBy`), so a run that crashed half way and runs again sends nothing twice. The firing is recorded
 * after the send; the catalog's snapshot moves on after its firings are recorded.
 */
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { sendMessage } from '../../messaging/index.js';
import { birthdays } from './birthday.js';
import { abandonedCarts } from './cart.js';
import { catalogFirings } from './catalog.js';
import { EVERY_MINUTES, type Firing, type FindFirings, type TriggerName } from './kinds.js';
import { enabledTriggers, markRun } from './settings.js';
import { orderDelayed, orderShipped } from './shipments.js';

const SEARCHES: Partial<Record<TriggerName, FindFirings>> = {
  order_shipped: orderShipped,
  order_delayed: orderDelayed,
  birthday: birthdays,
  abandoned_cart: abandonedCarts,
};

export interface TriggerRun {
  /** firings sent to the messaging room now, by trigger */
  fired: Partial<Record<TriggerName, number>>;
  /** firings left out because their window had fired already */
  alreadyFired: number;
}

/** Sends what is due at `now`. `force` runs every enabled trigger whatever its interval (tests, the CLI). */
export async function runTriggers(
  ctx: Pick<AppContext, 'db' | 'log'>,
  now: Date,
  opts: { force?: boolean; brandId?: number } = {},
): Promise<TriggerRun> {
  const run: TriggerRun = { fired: {}, alreadyFired: 0 };
  const byBrand = new Map<number, TriggerName[]>();
  for (const t of await enabledTriggers(ctx.db)) {
    if (opts.brandId !== undefined && t.brandId !== opts.brandId) continue;
    const due = !t.lastRunAt || now.getTime() - t.lastRunAt.getTime() >= EVERY_MINUTES[t.trigger] * 60_000;
    if (opts.force || due) byBrand.set(t.brandId, [...(byBrand.get(t.brandId) ?? []), t.trigger]);
  }
  const view = { db: ctx.db, now: () => now };
  for (const [brandId, triggers] of byBrand) {
    const on = new Set(triggers);
    const firings: Firing[] = [];
    for (const t of triggers) {
      const search = SEARCHES[t];
      if (search) firings.push(...(await search(view, brandId, now)));
    }
    const catalog =
      on.has('back_in_stock') || on.has('price_drop') ? await catalogFirings(ctx.db, brandId, now, on) : null;
    if (catalog) firings.push(...catalog.firings);
    const fresh = await notFiredYet(ctx.db, firings);
    run.alreadyFired += firings.length - fresh.length;
    for (const f of fresh) {
      if (await fire(ctx, f, now)) run.fired[f.trigger] = (run.fired[f.trigger] ?? 0) + 1;
    }
    await catalog?.commit();
    await markRun(ctx.db, brandId, triggers, now);
  }
  return run;
}

async function notFiredYet(db: AppContext['db'], firings: Firing[]): Promise<Firing[]> {
  if (firings.length === 0) return [];
  const r = await db.query(
    `SELECT x.i FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS x(p, b, t, w, i)
     WHERE NOT EXISTS (SELECT 1 FROM trigger_firings f WHERE f.person_id = x.p AND f.brand_id = x.b AND f.trigger = x.t AND f.window_key = x.w)`,
    [
      firings.map((f) => f.personId),
      firings.map((f) => f.brandId),
      firings.map((f) => f.trigger),
      firings.map((f) => f.windowKey),
    ],
  );
  const keep = new Set(r.rows.map((x) => Number(x.i) - 1));
  // One firing per person and window even if two searches found it.
  const seen = new Set<string>();
  return firings.filter((f, i) => {
    const k = `${f.personId}\0${f.trigger}\0${f.windowKey}`;
    return keep.has(i) && !seen.has(k) && seen.add(k);
  });
}

/** One firing: the send (idempotent by its derived key), then the record that it fired. */
async function fire(ctx: Pick<AppContext, 'db' | 'log'>, f: Firing, now: Date): Promise<boolean> {
  let answer: Awaited<ReturnType<typeof sendMessage>>;
  try {
    answer = await sendMessage(
      ctx.db,
      {
        brandId: f.brandId,
        personId: f.personId,
        purpose: f.purpose,
        template: { subject: f.subject, variants: f.variants },
        data: f.data,
        triggeredBy: `${f.trigger}:${f.windowKey}`,
      },
      now,
    );
  } catch (err) {
    // Another run is sending this very firing (409): it records it.
    if (err instanceof AppError && err.code === 'conflict') return false;
    ctx.log.error({ err, trigger: f.trigger, brandId: f.brandId }, 'a trigger could not send');
    return false;
  }
  const r = await ctx.db.query(
    `INSERT INTO trigger_firings (person_id, brand_id, trigger, window_key, message_id, state, rule, fired_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [f.personId, f.brandId, f.trigger, f.windowKey, answer.id, answer.state, answer.suppressed?.rule ?? null, now],
  );
  return (r.rowCount ?? 0) > 0;
}
