/**
 * Training a brand's model from its orders and behaviour events in PostgreSQL, as a durable job. The work runs in a
 * worker thread (EASE is seconds of synchronous arithmetic), so the process keeps serving while a model trains;
 * the result is a new row of recommend_models that every process picks up (store.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AppContext } from '../context.js';
import type { Db, Queryable } from '../db/pool.js';
import { connectionStringOf, inTransaction } from '../db/pool.js';
import { addJob, defineJob, ensureJobSchema } from '../jobs/jobs.js';
import { trainModel } from './model/train.js';
import { serializeModel } from './model/serialize.js';
import type { Interaction, InteractionKind, ProgressFn } from './model/types.js';
import { storeFor } from './store.js';

/** Behaviour events that count as interest, by kind (orders are the purchases). */
const EVENT_KINDS: Record<string, InteractionKind> = {
  'Product Viewed': 'view',
  'Product Clicked': 'view',
  'Product Added': 'cart',
  'Product Added to Wishlist': 'cart',
};

/** The newest interactions kept for one training: bounds the memory of a run (~150 bytes each). */
export const MAX_INTERACTIONS = Number(process.env.RECOMMEND_MAX_INTERACTIONS ?? 2_000_000);
const FETCH = 20_000;

/**
 * A brand's interactions, newest first up to `max`, read through a cursor so the rows never sit in memory twice.
 * Users are person ids (the same key serving looks up).
 */
export async function brandInteractions(
  db: Db,
  brandId: number,
  max = MAX_INTERACTIONS,
  onProgress?: ProgressFn,
): Promise<Interaction[]> {
  const client = await db.connect();
  const out: Interaction[] = [];
  // Ids repeat on every line: one string per id.
  const intern = new Map<string, string>();
  const one = (s: string) => intern.get(s) ?? (intern.set(s, s), s);
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(
      `DECLARE interactions NO SCROLL CURSOR FOR
       SELECT person_id::text AS u, product_id AS i, at, kind, basket FROM (
         SELECT oi.person_id, oi.product_id, o.placed_at AS at, 'purchase' AS kind, o.order_id AS basket
           FROM order_items oi JOIN orders o USING (person_id, brand_id, order_id)
          WHERE oi.brand_id = $1 AND oi.status = 'ok' AND o.status <> 'cancelled'
         UNION ALL
         SELECT person_id, product_id, occurred_at, event, NULL FROM events
          WHERE brand_id = $1 AND product_id IS NOT NULL AND event = ANY($2)
       ) x ORDER BY at DESC LIMIT $3`,
      [brandId, Object.keys(EVENT_KINDS), max],
    );
    for (;;) {
      const r = await client.query(`FETCH ${FETCH} FROM interactions`);
      for (const row of r.rows) {
        const kind = row.kind === 'purchase' ? 'purchase' : EVENT_KINDS[row.kind as string];
        out.push({
          user: one(row.u),
          item: one(row.i),
          weight: 1,
          at: (row.at as Date).getTime(),
          kind,
          ...(row.basket ? { basket: row.basket } : {}),
        });
      }
      onProgress?.('read', out.length, max);
      if (r.rows.length < FETCH) break;
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return out;
}

export interface TrainedVersion {
  brandId: number;
  version: number;
  stats: {
    interactions: number;
    users: number;
    items: number;
    seconds: number;
    modelBytes: number;
    storedBytes: number;
    peakRssBytes: number;
  };
}

/** Trains one brand's model and stores it as the next version (the two newest are kept). */
export async function trainBrandModel(
  db: Db,
  brandId: number,
  onProgress?: ProgressFn,
): Promise<TrainedVersion | null> {
  const t0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const progress: ProgressFn = (phase, done, total) => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    onProgress?.(phase, done, total);
  };
  const interactions = await brandInteractions(db, brandId, MAX_INTERACTIONS, progress);
  if (interactions.length === 0) return null;
  const model = trainModel(interactions, { onProgress: progress });
  const bytes = serializeModel(model);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const stats = {
    interactions: interactions.length,
    users: model.users.size,
    items: model.itemIds.length,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    modelBytes: model.memoryBytes,
    storedBytes: bytes.length,
    peakRssBytes: peakRss,
  };
  const version = await inTransaction(db, async (tx) => {
    // One writer per brand at a time, so versions are consecutive.
    await tx.query('SELECT pg_advisory_xact_lock(4545040, $1::int)', [brandId]);
    const v = Number(
      (await tx.query('SELECT coalesce(max(version), 0) + 1 AS v FROM recommend_models WHERE brand_id = $1', [brandId]))
        .rows[0].v,
    );
    await tx.query('INSERT INTO recommend_models (brand_id, version, stats, model) VALUES ($1, $2, $3, $4)', [
      brandId,
      v,
      stats,
      bytes,
    ]);
    await tx.query('DELETE FROM recommend_models WHERE brand_id = $1 AND version < $2', [brandId, v - 1]);
    return v;
  });
  return { brandId, version, stats };
}

/** A progress reporter that logs a phase when it starts and then at most every few seconds. */
export function progressLogger(log: Pick<Logger, 'info'>, brandId: number): ProgressFn {
  let lastPhase = '';
  let lastAt = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (phase === lastPhase && now - lastAt < 3000 && done < total) return;
    lastPhase = phase;
    lastAt = now;
    log.info({ brandId, phase, done, total }, `recommender training: ${phase} ${done}/${total}`);
  };
}

const WORKER = new URL(`./train-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/**
 * Trains in a worker thread with its own connection, so the event loop of this process keeps serving.
 * The worker's JavaScript heap is capped; the large arrays of a model are bounded by the training options.
 */
export function trainInWorker(
  ctx: Pick<AppContext, 'db' | 'log'>,
  brandId: number,
  signal?: AbortSignal,
): Promise<TrainedVersion | null> {
  const url = connectionStringOf(ctx.db);
  // Under tsx (no build step) the worker registers the TypeScript loader before importing the module.
  const code = WORKER.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(WORKER)}); })`
    : `import(${JSON.stringify(WORKER)})`;
  const progress = progressLogger(ctx.log, brandId);
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, {
      eval: true,
      workerData: { url, brandId },
      resourceLimits: { maxOldGenerationSizeMb: Number(process.env.RECOMMEND_TRAIN_HEAP_MB ?? 2048) },
    });
    let result: TrainedVersion | null = null;
    // A stopping process does not wait for a model: the job fails and is retried by the next runner.
    const abort = () => {
      reject(new Error('training stopped: the process is shutting down'));
      void worker.terminate();
    };
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: { progress?: [string, number, number]; done?: TrainedVersion | null; error?: string }) => {
      if (m.progress) progress(...m.progress);
      else if (m.error) reject(new Error(m.error));
      else result = m.done ?? null;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (code === 0) resolve(result);
      else reject(new Error(`the training worker exited with code ${code}`));
    });
  });
}

/** Trains a brand's model in a worker thread and stores it as a new version. */
export const trainJob = defineJob<{ brandId: number }>('recommend.train', async (ctx, payload, job) => {
  const { brandId } = payload as { brandId: number };
  const r = await trainInWorker(ctx, brandId, job.signal);
  if (r)
    ctx.log.info(
      { brandId, version: r.version, ...r.stats },
      `recommender: brand ${brandId} model version ${r.version} trained`,
    );
  else ctx.log.info({ brandId }, `recommender: brand ${brandId} has no orders or events yet; nothing to train`);
});

/** Queues a training of the brand's model with the caller's connection (inside its transaction); a waiting one is not doubled. */
export async function queueTraining(tx: Queryable, brandId: number): Promise<void> {
  await addJob(tx, trainJob, { brandId }, { jobKey: `recommend-train-${brandId}`, maxAttempts: 3 });
}

/** Queues a training of the brand's model; the job runner of a server process runs it (src/server/background.ts). */
export async function requestTraining(ctx: AppContext, brandId: number): Promise<void> {
  await ensureJobSchema(ctx);
  await queueTraining(ctx.db, brandId);
}

/** Brands whose model is missing, or older than their newest order or event. */
export async function brandsNeedingTraining(db: Queryable): Promise<number[]> {
  const r = await db.query(
    `SELECT b.id FROM brands b LEFT JOIN LATERAL (SELECT max(trained_at) AS at FROM recommend_models m WHERE m.brand_id = b.id) m ON true
      WHERE (m.at IS NULL AND (EXISTS (SELECT 1 FROM orders o WHERE o.brand_id = b.id) OR EXISTS (SELECT 1 FROM events e WHERE e.brand_id = b.id AND e.product_id IS NOT NULL)))
         OR EXISTS (SELECT 1 FROM orders o WHERE o.brand_id = b.id AND o.updated_at > m.at)
         OR EXISTS (SELECT 1 FROM events e WHERE e.brand_id = b.id AND e.received_at > m.at AND e.product_id IS NOT NULL)
      ORDER BY b.id`,
  );
  return r.rows.map((row) => Number(row.id));
}

/** At start-up and then now and then: queue the brands whose model is missing or behind their data. */
export async function queueStaleTrainings(ctx: AppContext): Promise<number[]> {
  const ids = await brandsNeedingTraining(ctx.db);
  for (const id of ids) await requestTraining(ctx, id);
  return ids;
}

const RECHECK_MS = Number(process.env.RECOMMEND_RECHECK_MS ?? 3600_000);

/**
 * Server start: models of every brand are loaded into memory; brands whose model is missing or behind their data
 * are queued for training, now and every hour. Serving never waits for any of it: until a model exists, a brand
 * serves popularity and its catalog.
 */
export async function startRecommender(ctx: AppContext): Promise<() => Promise<void>> {
  const store = storeFor(ctx);
  await store.loadAll();
  for (const s of store.loaded())
    ctx.log.info(
      { brandId: s.brandId, version: s.version, modelBytes: s.model?.memoryBytes },
      `recommender: ${s.catalog.brandName} serving model version ${s.version}`,
    );
  let checking: Promise<unknown> = Promise.resolve();
  const check = () => {
    checking = queueStaleTrainings(ctx).catch((err) => ctx.log.warn({ err }, 'recommender: could not queue trainings'));
  };
  check();
  const timer = setInterval(check, RECHECK_MS);
  timer.unref();
  // A check still running when the process stops would start the job runner after it was stopped.
  return async () => {
    clearInterval(timer);
    await checking;
  };
}
