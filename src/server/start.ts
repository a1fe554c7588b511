import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { AppContext } from '../context.js';
import { createPool, type Db } from '../db/pool.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { buildApp, type App } from './app.js';
import { isDemoLoaded, loadDemo, refreshDemo } from '../demo/load.js';
import { startRecommender } from '../recommend/training.js';

export interface Config {
  home: string;
  port: number;
  host: string;
  databaseUrl?: string;
  publicUrl?: string;
}

export function configFromEnv(env = process.env): Config {
  const port = Number(env.PORT ?? 4545);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return {
    home: path.resolve(env.CONFIDANT_HOME ?? '.confidant'),
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.PUBLIC_URL,
  };
}

export interface Running {
  ctx: AppContext;
  app?: App;
  embedded?: EmbeddedServer;
  stop(): Promise<void>;
}

/** The server secret lives in the database so every process of a deployment agrees on pseudonyms. */
async function serverSecret(db: Db): Promise<Buffer> {
  if (process.env.CONFIDANT_SECRET) return Buffer.from(process.env.CONFIDANT_SECRET);
  await db.query(`INSERT INTO server_settings (key, value) VALUES ('server_secret', $1) ON CONFLICT (key) DO NOTHING`, [crypto.randomBytes(32).toString('hex')]);
  const r = await db.query(`SELECT value FROM server_settings WHERE key = 'server_secret'`);
  return Buffer.from(r.rows[0].value, 'hex');
}

/** Opens the database (embedded unless DATABASE_URL is set), migrates it, and returns the context. */
export async function openSystem(config: Config, log: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' })): Promise<Running> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    fs.mkdirSync(config.home, { recursive: true });
    embedded = await startEmbeddedPostgres(path.join(config.home, 'pg'), (line) => log.debug({ postgres: line }));
    url = embedded.url;
  }
  const db = createPool(url, Number(process.env.DB_POOL_SIZE ?? 20));
  try {
    await migrate(db);
  } catch (err) {
    await db.end();
    await embedded?.stop();
    throw err;
  }
  const ctx: AppContext = {
    db,
    log,
    secret: await serverSecret(db),
    now: () => new Date(),
    databaseKind: embedded ? 'embedded' : 'external',
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
  };
  return {
    ctx,
    embedded,
    async stop() {
      await db.end();
      await embedded?.stop();
    },
  };
}

/** `npm start`: database, schema, demo world on first start, HTTP server; stops cleanly on Ctrl-C. */
export async function startServer(config: Config): Promise<Running> {
  const t0 = Date.now();
  const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const running = await openSystem(config, log);
  const { ctx } = running;
  if (process.env.CONFIDANT_DEMO !== '0') {
    if (await isDemoLoaded(ctx.db)) {
      await refreshDemo(ctx);
    } else {
      log.info('first start: loading the demo world (three brands, Online Retail history, demo shoppers)');
      await loadDemo(ctx, config.home, (line) => log.info(line));
    }
  }
  // Models of every brand in memory; missing ones (a freshly loaded demo world) train in the background while
  // the brand serves popularity, so the server is ready at once.
  const stopRecommender = await startRecommender(ctx);
  const app = await buildApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  ctx.publicUrl = config.publicUrl ?? `http://localhost:${port}`;
  // The one line a person starting it reads, whatever LOG_LEVEL says.
  console.log(`Confidant is listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (database: ${ctx.databaseKind}; ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopRecommender();
      await app.close();
      await running.stop();
    })());
  return { ...running, app, stop };
}
