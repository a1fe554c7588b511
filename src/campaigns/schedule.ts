/**
 * Durable scheduled work on graphile-worker (the queue is in PostgreSQL): a campaign's send is a job due at its
 * `send_at` (keyed by the campaign, so rescheduling replaces it), and the triggers run as one job that puts itself back
 * every few minutes (one key for the whole system, so however many processes run, one run is waiting). A crash mid-run
 * leaves the job to be retried; every send in it is idempotent.
 */
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { addJob, defineJob, ensureJobSchema } from '../jobs/jobs.js';
import { runCampaign } from './campaigns.js';
import { runTriggers } from './triggers/run.js';

export const CAMPAIGN_JOB = 'campaigns.send';
export const TRIGGERS_JOB = 'campaigns.triggers';
/** How often the triggers look at their data (each trigger has its own interval on top: triggers/kinds.ts). */
export const TRIGGER_TICK_MINUTES = 5;

/** A campaign's send at its time (listed in JOBS, src/server/background.ts). */
export const campaignJob = defineJob<{ brandId: number; campaignId: string }>(CAMPAIGN_JOB, async (ctx, payload) => {
  const { brandId, campaignId } = payload as { brandId: number; campaignId: string };
  const counts = await runCampaign(ctx, brandId, campaignId, ctx.now());
  // Woken a little early (this process's clock behind the database's): the queue retries it shortly.
  if (counts === null && (await stillScheduled(ctx.db, brandId, campaignId)))
    throw new Error(`campaign ${campaignId} is not due yet`);
});

async function stillScheduled(db: Queryable, brandId: number, campaignId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM campaigns WHERE brand_id = $1 AND campaign_id = $2 AND state = 'scheduled'`, [
    brandId,
    campaignId,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** One run of the triggers, which queues the next (listed in JOBS, src/server/background.ts). */
export const triggersJob = defineJob(TRIGGERS_JOB, async (ctx) => {
  // A run that fails is logged and the next tick tries again (every send in it is idempotent); the job itself ends.
  try {
    await runTriggers(ctx, ctx.now());
  } catch (err) {
    ctx.log.error({ err }, 'a run of the triggers failed');
  }
  await scheduleTriggerTick(ctx.db);
});

/** Puts the next trigger run in the queue, on the database's clock (the one the queue runs by). */
async function scheduleTriggerTick(db: Queryable) {
  await db.query(
    `SELECT graphile_worker.add_job($1, '{}'::json, run_at => now() + make_interval(mins => $2), job_key => $1, job_key_mode => 'preserve_run_at')`,
    [TRIGGERS_JOB, TRIGGER_TICK_MINUTES],
  );
}

/** The campaign's send, in the caller's transaction (the schema must be there: see `prepareQueue`). */
export async function scheduleCampaign(tx: Queryable, brandId: number, campaignId: string, sendAt: Date) {
  await addJob(
    tx,
    campaignJob,
    { brandId, campaignId },
    { runAt: sendAt, jobKey: `campaign:${campaignId}`, maxAttempts: 10 },
  );
}

/** Before a transaction that adds jobs: the queue's schema. After it: this process runs the queue. */
export async function prepareQueue(ctx: Pick<AppContext, 'db' | 'log'>) {
  await ensureJobSchema(ctx);
}
/** The queue runs in every process (src/server/background.ts): nothing to start here. */
export function runQueue(_ctx: AppContext) {}

/** A brand switched a trigger on: make sure the trigger runs are in the queue and the queue runs. */
export async function startTriggerTicks(ctx: AppContext) {
  await ensureJobSchema(ctx);
  await scheduleTriggerTick(ctx.db);
  runQueue(ctx);
}
