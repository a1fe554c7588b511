/**
 * Durable background jobs on graphile-worker: the queue lives in PostgreSQL (schema `graphile_worker`), so a job
 * added inside a transaction commits with the data it is about, survives a crash, and any process may run it.
 *
 * A room defines a job with `defineJob` (a value, registered nowhere); the runner of a process runs the jobs of the
 * explicit list it is started with (`JOBS` in src/server/background.ts), so no job depends on which modules happened
 * to be imported. The schema is installed when the runner starts.
 */
import { Logger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';
import type { Db, Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';

/** `signal` aborts a few seconds into a shutdown: long work that can start over later should stop then. */
export type JobHandler = (
  ctx: AppContext,
  payload: unknown,
  job: { id: string; attempts: number; maxAttempts: number; signal: AbortSignal },
) => Promise<void>;

export interface Job<P = unknown> {
  name: string;
  handler: JobHandler;
  /** Only for typing `addJob`'s payload. */
  readonly payload?: P;
}

/** A job: its name in the queue and what runs it. Add it to `JOBS` in src/server/background.ts to have it run. */
export function defineJob<P = unknown>(name: string, handler: JobHandler): Job<P> {
  return { name, handler };
}

function loggerFor(ctx: Pick<AppContext, 'log'>) {
  // graphile-worker is chatty at info level; its info lines go to our debug.
  return new Logger((scope) => (level, message, meta) => {
    const fields = { jobs: scope, ...(meta ?? {}) };
    if (level === 'error') ctx.log.error(fields, message);
    else if (level === 'warning') ctx.log.warn(fields, message);
    else ctx.log.debug(fields, message);
  });
}

const installed = new WeakMap<Db, Promise<void>>();

/** Installs (or upgrades) the queue's schema once per pool. */
export function ensureJobSchema(ctx: Pick<AppContext, 'db' | 'log'>): Promise<void> {
  let p = installed.get(ctx.db);
  if (!p) {
    p = runMigrations({ pgPool: ctx.db, logger: loggerFor(ctx) });
    installed.set(ctx.db, p);
    p.catch(() => installed.delete(ctx.db));
  }
  return p;
}

export async function jobSchemaExists(db: Queryable): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = 'graphile_worker'`);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Adds a job with the caller's connection, so inside the caller's transaction it commits (or not) with its data.
 * Call `ensureJobSchema` before opening the transaction.
 */
export async function addJob<P>(
  tx: Queryable,
  job: Job<P>,
  payload: P,
  opts: { runAt?: Date; maxAttempts?: number; jobKey?: string } = {},
): Promise<void> {
  if (!job?.name) throw new AppError('internal', 'addJob needs a job made by defineJob');
  await tx.query('SELECT graphile_worker.add_job($1, $2::json, run_at => $3, max_attempts => $4, job_key => $5)', [
    job.name,
    JSON.stringify(payload),
    opts.runAt ?? null,
    opts.maxAttempts ?? null,
    opts.jobKey ?? null,
  ]);
}

/** Drops a waiting job by its key (a job already running finishes). */
export async function removeJob(tx: Queryable, jobKey: string): Promise<void> {
  await tx.query('SELECT graphile_worker.remove_job($1)', [jobKey]);
}

const runners = new WeakMap<AppContext, Promise<Runner>>();

/** Starts this process's runner for the given jobs (once per context). */
export function startJobRunner(ctx: AppContext, jobs: readonly Job[]): Promise<Runner> {
  let r = runners.get(ctx);
  if (!r) {
    const taskList: TaskList = {};
    for (const { name, handler } of jobs) {
      taskList[name] = async (payload, helpers) =>
        handler(ctx, payload, {
          id: String(helpers.job.id),
          attempts: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          signal: helpers.abortSignal,
        });
    }
    r = ensureJobSchema(ctx).then(() =>
      run({
        pgPool: ctx.db,
        taskList,
        concurrency: Number(process.env.JOB_CONCURRENCY ?? 4),
        noHandleSignals: true,
        pollInterval: 2000,
        logger: loggerFor(ctx),
      }),
    );
    runners.set(ctx, r);
    r.catch((err) => {
      runners.delete(ctx);
      ctx.log.error({ err }, 'the job runner did not start');
    });
  }
  return r;
}

export async function stopJobRunner(ctx: AppContext): Promise<void> {
  const r = runners.get(ctx);
  if (!r) return;
  runners.delete(ctx);
  const runner = await r.catch(() => null);
  await runner?.stop();
}
