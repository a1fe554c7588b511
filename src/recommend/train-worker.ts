// The worker thread of trainInWorker (training.ts): trains one brand with its own connection and reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { createPool } from '../db/pool.js';
import { trainBrandModel } from './training.js';

const { url, brandId } = workerData as { url: string; brandId: number };
const db = createPool(url, 2);
try {
  const done = await trainBrandModel(db, brandId, (phase, d, total) =>
    parentPort!.postMessage({ progress: [phase, d, total] }),
  );
  parentPort!.postMessage({ done });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).stack ?? String(err) });
} finally {
  await db.end();
}
