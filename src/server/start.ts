import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';
import cluster from 'node:cluster';
import pino, { type Logger } from 'pino';
import type { AppContext } from '../context.js';
import { connectionStringOf, createPool, type Db } from '../db/pool.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { setServerSetting } from '../brands/index.js';
import { buildApp, type App } from './app.js';
import { isDemoLoaded, loadDemo, refreshDemo } from '../demo/load.js';
import { startBackground } from './background.js';
import { serverLog } from './log.js';

export interface Config {
  home: string;
  /** How `home` was chosen: CONFIDANT_HOME, a `.confidant` found in this folder or one above, or `./.confidant`. */
  homeFrom: 'env' | 'found' | 'default';
  port: number;
  host: string;
  databaseUrl?: string;
  publicUrl?: string;
}

export function configFromEnv(env = process.env): Config {
  const port = Number(env.PORT ?? 4545);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const found = env.CONFIDANT_HOME ? undefined : findHome(process.cwd());
  return {
    home: path.resolve(env.CONFIDANT_HOME || found || '.confidant'),
    homeFrom: env.CONFIDANT_HOME ? 'env' : found ? 'found' : 'default',
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.PUBLIC_URL,
  };
}

/** The nearest `.confidant` with a database, in `dir` or a folder above it (as git finds `.git`). */
export function findHome(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const home = path.join(d, '.confidant');
    if (fs.existsSync(path.join(home, 'pg', 'PG_VERSION')) || fs.existsSync(path.join(home, 'postgres.json')))
      return home;
    if (path.dirname(d) === d) return undefined;
  }
}

export interface Running {
  ctx: AppContext;
  app?: App;
  embedded?: EmbeddedServer;
  /** Which database this is, in words: for the line every command prints. */
  database: string;
  stop(): Promise<void>;
}

export interface OpenOptions {
  /** `server` for npm start; `command` for a CLI command, which uses the server's PostgreSQL when one runs. */
  role?: 'server' | 'command';
  /** Lines a person should read (what was done to start the database). */
  say?: (line: string) => void;
}

/** A database URL without its password, to name it. */
const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');

/** The server secret lives in the database so every process of a deployment agrees on pseudonyms. */
async function serverSecret(db: Db): Promise<Buffer> {
  if (process.env.CONFIDANT_SECRET) return Buffer.from(process.env.CONFIDANT_SECRET);
  const secret = await setServerSetting(db, 'server_secret', crypto.randomBytes(32).toString('hex'), {
    onlyIfUnset: true,
  });
  return Buffer.from(secret, 'hex');
}

/** Opens the database (embedded unless DATABASE_URL is set), migrates it, and returns the context. */
export async function openSystem(
  config: Config,
  log: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }),
  opts: OpenOptions = {},
): Promise<Running> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  let database = `DATABASE_URL ${redacted(url ?? '')}`;
  if (!url) {
    fs.mkdirSync(config.home, { recursive: true });
    embedded = await startEmbeddedPostgres(path.join(config.home, 'pg'), (line) => log.debug({ postgres: line }), {
      role: opts.role ?? 'command',
      share: opts.role !== 'server',
      say: opts.say,
    });
    url = embedded.url;
    const shared = embedded.sharedWith;
    database = shared
      ? `the ${shared.role === 'server' ? 'running server' : `running command (process ${shared.ownerPid})`}'s PostgreSQL in ${config.home}${shared.http ? ` (${shared.http})` : ''}`
      : `the embedded PostgreSQL in ${config.home}`;
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
    // A worker of a cluster reaches the primary's embedded server through DATABASE_URL, and says so.
    databaseKind: embedded || process.env.CONFIDANT_DATABASE_KIND === 'embedded' ? 'embedded' : 'external',
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
  };
  return {
    ctx,
    embedded,
    database,
    async stop() {
      await db.end();
      await embedded?.stop();
    },
  };
}

/** The database with its schema and, unless CONFIDANT_DEMO=0, the demo world (loaded on first start, refreshed after). */
async function prepareSystem(config: Config, log: Logger): Promise<Running> {
  const running = await openSystem(config, log, { role: 'server', say: (line) => console.log(line) });
  const { ctx } = running;
  if (process.env.CONFIDANT_DEMO !== '0') {
    if (await isDemoLoaded(ctx.db)) {
      await refreshDemo(ctx);
    } else {
      log.info('first start: loading the demo world (three brands, Online Retail history, demo shoppers)');
      await loadDemo(ctx, config.home, (line) => log.info(line));
    }
  }
  return running;
}

/** The address the server announces, and puts in the links it sends (so a sign-in cookie lands where people go). */
const addressOf = (config: Config, port: number) =>
  config.publicUrl ?? `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;

/** The lines a person starting it reads, whatever LOG_LEVEL says: where it listens, and how to sign in. */
function announce(config: Config, port: number, database: string, t0: number, workers = 1) {
  const where = addressOf(config, port);
  const processes = workers > 1 ? `; ${workers} server processes` : '';
  const who =
    process.env.CONFIDANT_DEMO === '0' ? 'your e-mail address' : "a demo shopper's address, say karen@example.com";
  const link = process.env.SMTP_URL ? 'the sign-in link comes by e-mail' : 'the sign-in link is printed here';
  console.log(
    `Confidant is listening on ${where} (database: ${database}${processes}; ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(`Open ${where} and sign in with ${who}; ${link}. Ctrl-C stops it.`);
}

/** `npm start`: database, schema, demo world on first start, HTTP server; stops cleanly on Ctrl-C. */
export async function startServer(config: Config, onListening?: (port: number) => void): Promise<Running> {
  const t0 = Date.now();
  const log = serverLog();
  const running = await prepareSystem(config, log);
  const { ctx } = running;
  ctx.tell = (line) => console.log(line);
  const app = await buildApp(ctx);
  // Job runner, timers and listeners (src/server/background.ts). Models of every brand are loaded; missing ones (a
  // freshly loaded demo world) train in the background while the brand serves popularity, so the server is ready at once.
  const background = await startBackground(ctx);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  ctx.publicUrl = addressOf(config, port);
  running.embedded?.announce(ctx.publicUrl);
  if (onListening) onListening(port);
  else announce(config, port, running.database, t0);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await background.stop();
      await running.stop();
    })());
  return { ...running, app, stop };
}

/**
 * `CONFIDANT_WORKERS=n npm start`: this process prepares the database (and runs the embedded one), then n server
 * processes share the port, so the HTTP work uses n cores. Each worker is a whole server (models in memory, job
 * runner); they agree through PostgreSQL. A worker that dies is replaced. Stops on Ctrl-C like a single server.
 */
export async function startCluster(config: Config, workers: number): Promise<{ stop(): Promise<void> }> {
  const t0 = Date.now();
  const log = serverLog();
  const running = await prepareSystem(config, log);
  const url = connectionStringOf(running.ctx.db);
  await running.ctx.db.end(); // the workers have their own pools; this process only keeps the embedded server
  const env = { DATABASE_URL: url, CONFIDANT_DEMO: '0', CONFIDANT_DATABASE_KIND: running.ctx.databaseKind };
  let started = false;
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork(env);
    worker.on('exit', (code, signal) => {
      if (!started || stopping) return;
      log.error({ code, signal }, 'a server process ended; starting another in a second');
      setTimeout(() => !stopping && fork(), 1000); // a worker that cannot start does not spin
    });
    return worker;
  };
  const ports = await Promise.all(
    Array.from({ length: workers }, () => {
      const worker = fork();
      return new Promise<number>((resolve, reject) => {
        worker.on('message', (m: { listening?: number }) => m.listening !== undefined && resolve(m.listening));
        worker.once('exit', (code) => reject(new Error(`a server process exited with ${code} before it listened`)));
      });
    }),
  );
  started = true;
  running.embedded?.announce(addressOf(config, ports[0]));
  announce(config, ports[0], running.database, t0, workers);
  return {
    async stop() {
      stopping = true;
      await Promise.all(
        Object.values(cluster.workers ?? {}).map(
          (w) =>
            new Promise<void>((resolve) => {
              if (!w || w.isDead()) return resolve();
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
            }),
        ),
      );
      await running.embedded?.stop();
    },
  };
}
