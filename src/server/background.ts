/**
 * Every piece of background work of a server process, started from one explicit list and stopped in the reverse
 * order: the job runner (with the explicit list of jobs it runs), timers and listeners. Nothing starts on import or
 * from a route file; `startServer` and the test harness call `startBackground` after building the app.
 */
import type { AppContext } from '../context.js';
import { campaignJob, triggersJob } from '../campaigns/schedule.js';
import { finishErasureJob } from '../gatekeeper/erase.js';
import { startOutbox, webhookJob } from '../messaging/index.js';
import { type Job, startJobRunner, stopJobRunner } from '../jobs/jobs.js';
import { closeActivityFeed, startActivityFeed } from '../recommend/activity.js';
import { storeFor } from '../recommend/store.js';
import { startRecommender, trainJob } from '../recommend/training.js';

/** The jobs this process runs. A job defined with `defineJob` and not listed here never runs (a test checks). */
export const JOBS: readonly Job[] = [finishErasureJob, webhookJob, trainJob, campaignJob, triggersJob];

export interface BackgroundWork {
  name: string;
  /** Starts the work; returns how to stop it. */
  start(ctx: AppContext): Promise<() => Promise<void>>;
}

const CHANGE_LOG_TRIM_MS = 5 * 60_000;

/** In start order; stopped in the reverse order. */
export const BACKGROUND: readonly BackgroundWork[] = [
  {
    // Webhook deliveries, interrupted erasures and trainings are durable jobs: a process works whatever is waiting.
    name: 'job runner',
    async start(ctx) {
      if (process.env.CONFIDANT_JOBS === '0') return async () => {};
      await startJobRunner(ctx, JOBS);
      return () => stopJobRunner(ctx);
    },
  },
  {
    // The log that checks kept views (gatekeeper/045) is trimmed by every process now and then, in a statement of
    // its own.
    name: 'person change log trimmer',
    async start(ctx) {
      const timer = setInterval(
        () =>
          void ctx.db
            .query('SELECT clean_person_changes()')
            .catch((err) => ctx.log.warn({ err }, 'the person change log could not be trimmed')),
        CHANGE_LOG_TRIM_MS,
      ).unref();
      return async () => clearInterval(timer);
    },
  },
  {
    // Notifications of changed activity (recommend/046), so kept activity is used only while current.
    name: 'activity listener',
    async start(ctx) {
      startActivityFeed(ctx.db);
      return () => closeActivityFeed(ctx.db);
    },
  },
  {
    // Models in memory, swapped when a new version appears.
    name: 'model store',
    async start(ctx) {
      storeFor(ctx).startPolling();
      return async () => storeFor(ctx).close();
    },
  },
  {
    // Models of every brand loaded; missing or stale ones queued for training, now and every hour.
    name: 'model trainings',
    start: (ctx) => startRecommender(ctx),
  },
  {
    // Messages due (queued, held whose quiet hours ended, retries) go out from every server process.
    name: 'outbox runner',
    async start(ctx) {
      const outbox = startOutbox(ctx);
      return () => outbox.stop();
    },
  },
];

/** Starts the list; if one fails to start, what started is stopped again and the error thrown. */
export async function startBackground(
  ctx: AppContext,
  work: readonly BackgroundWork[] = BACKGROUND,
): Promise<{ stop(): Promise<void> }> {
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) {
      await s.stop().catch((err) => ctx.log.error({ err }, `background: ${s.name} did not stop cleanly`));
    }
  };
  try {
    for (const w of work) stops.push({ name: w.name, stop: await w.start(ctx) });
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
