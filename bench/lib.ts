/** Benchmark plumbing: a throwaway embedded PostgreSQL and the real server in its own process, on loopback. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { createPool, type Db } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';

export interface BenchSystem {
  db: Db;
  databaseUrl: string;
  home: string;
  /** Starts the HTTP server in a child process (so load generator and server do not share a core). */
  serve(env?: Record<string, string>): Promise<{ url: string; child: ChildProcess; rssMb: () => number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Ctrl-C a server and wait for it to go (PostgreSQL's own stop waits for its clients); kill it if it lingers. */
function stopChild(c: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    c.once('exit', () => (clearTimeout(t), resolve()));
    c.kill('SIGINT');
  });
}

export async function benchSystem(): Promise<BenchSystem> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-bench-'));
  fs.chmodSync(home, 0o755);
  const pg = await startEmbeddedPostgres(path.join(home, 'pg'));
  const db = createPool(pg.url, 4);
  await migrate(db);
  const children: ChildProcess[] = [];
  return {
    db,
    databaseUrl: pg.url,
    home,
    async serve(env = {}) {
      // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under the load.
      const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'start'], {
        env: { ...process.env, DATABASE_URL: pg.url, PORT: '0', CONFIDANT_DEMO: '0', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      const url = await new Promise<string>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
          if (m) {
            clearInterval(t);
            resolve(m[1]);
          }
        }, 50);
        child.on('exit', (c) => reject(new Error(`server exited with ${c}: ${out}`)));
      });
      const rssMb = () => {
        try {
          const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
          return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
        } catch {
          return NaN;
        }
      };
      return { url, child, rssMb, stop: () => stopChild(child) };
    },
    async stop() {
      await Promise.all(children.map(stopChild));
      await db.end();
      await pg.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Drives a route with autocannon for a fixed time and returns throughput and latency. */
export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 16, duration: 10, ...opts });
  return { requestsPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
