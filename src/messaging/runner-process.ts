/**
 * A process that only runs the outbox against `DATABASE_URL` (the crash test and the bench start it, then kill -9
 * it mid-run, then start another): every message must reach its receiver once, none lost.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { createPool } from '../db/pool.js';
import { startOutbox } from './outbox.js';

const db = createPool(process.env.DATABASE_URL!, Number(process.env.RUNNER_POOL ?? 20));
const ctx = {
  db,
  log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  secret: Buffer.from(process.env.CONFIDANT_SECRET ?? crypto.randomBytes(32).toString('hex')),
  now: () => new Date(),
  databaseKind: 'external' as const,
  publicUrl: 'http://localhost:4545',
};
const runner = startOutbox(ctx, {
  pollMs: 50,
  limit: Number(process.env.RUNNER_BATCH ?? 200),
  concurrency: Number(process.env.RUNNER_CONCURRENCY ?? 32),
});
process.send?.({ ready: true });
process.on('SIGTERM', async () => {
  await runner.stop();
  await db.end();
  process.exit(0);
});
