/** Benchmark plumbing: a throwaway embedded PostgreSQL and the real server in its own process, on loopback. */
import fs from 'node:fs';
import net from 'node:net';
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
  serve(
    env?: Record<string, string>,
  ): Promise<{ url: string; child: ChildProcess; rssMb: () => number; stop(): Promise<void> }>;
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
/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate, whatever the answers before it, and its latency
 * is counted from when it was due (so a server that falls behind is charged for the wait). autocannon's fixed rate
 * sends each second's quota in a burst, which measures bursts, not a steady rate.
 */
export async function paced(o: {
  url: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  path: () => string;
}) {
  const target = new URL(o.url);
  const head = Object.entries({ host: target.host, ...o.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(o.rate * o.seconds);
  const start = performance.now();
  let sent = 0;
  let answered = 0;
  // Requests due and not yet sent wait here for a free connection; their latency still counts from when they were due.
  const waiting: number[] = [];
  const idle: Connection[] = [];
  let opened = 0;
  /**
   * A keep-alive connection with one request at a time, speaking just enough HTTP/1.1 for the bench (Fastify answers
   * with Content-Length): Node's http client costs the shared cores several times what the server's own parsing does.
   */
  class Connection {
    private socket = net.connect(Number(target.port), target.hostname);
    private buffer: Buffer = Buffer.alloc(0);
    private due = 0;
    private busy = false;
    constructor() {
      this.socket.setNoDelay(true);
      this.socket.on('data', (d) => this.read(d));
      this.socket.on('error', () => {});
      // A connection that goes (the server closed it, or failed) fails its request and is not used again.
      this.socket.on('close', () => {
        opened--;
        if (this.busy) errors++, answered++;
        const at = idle.indexOf(this);
        if (at >= 0) idle.splice(at, 1);
        const next = waiting.shift();
        if (next !== undefined) dispatch(next);
      });
    }
    send(due: number) {
      this.busy = true;
      this.due = due;
      this.socket.write(`GET ${o.path()} HTTP/1.1\r\n${head}\r\n`);
    }
    private read(d: Buffer) {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, d]) : d;
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.subarray(0, end).toString('latin1');
      const length = Number(/content-length: *(\d+)/i.exec(header)?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (header.startsWith('HTTP/1.1 200')) latencies.push(performance.now() - this.due);
      else errors++;
      answered++;
      this.busy = false;
      const next = waiting.shift();
      if (next === undefined) idle.push(this);
      else this.send(next);
    }
    close() {
      this.socket.destroy();
    }
  }
  const all: Connection[] = [];
  const dispatch = (due: number) => {
    let c = idle.pop();
    if (!c && opened < 64) opened++, all.push((c = new Connection()));
    if (c) c.send(due);
    else waiting.push(due);
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000));
      for (; sent < due; sent++) dispatch(start + (sent * 1000) / o.rate);
      if (answered >= total) clearInterval(timer), resolve();
    }, 1);
  });
  for (const c of all) c.close();
  if (errors && latencies.length === 0) throw new Error('no request of the steady load was answered');
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  const seconds = (performance.now() - start) / 1000;
  return { served: latencies.length / seconds, seconds, p50: at(0.5), p99: at(0.99), errors };
}

type CpuKind = 'postgres' | 'server' | 'loadGenerator';
type CpuSnapshot = Map<number, { kind: CpuKind; seconds: number }>;

/** CPU seconds used so far by each PostgreSQL process, by `serverPid` and its children, and by this process. */
export function cpuSnapshot(serverPid: number): CpuSnapshot {
  const tick = 100; // USER_HZ
  const usage = process.cpuUsage();
  const out: CpuSnapshot = new Map([
    [process.pid, { kind: 'loadGenerator', seconds: (usage.user + usage.system) / 1e6 }],
  ]);
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(f[11]) + Number(f[12])) / tick; // utime, stime
    if (comm === 'postgres') out.set(Number(pid), { kind: 'postgres', seconds });
    else if (Number(pid) === serverPid || Number(f[1]) === serverPid) out.set(Number(pid), { kind: 'server', seconds }); // f[1]: parent pid
  }
  return out;
}

/** CPU seconds used between two snapshots, by kind (a process that ended in between is left out). */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): Record<CpuKind, number> {
  const used: Record<CpuKind, number> = { postgres: 0, server: 0, loadGenerator: 0 };
  for (const [pid, { kind, seconds }] of after) used[kind] += seconds - (before.get(pid)?.seconds ?? 0);
  return used;
}

export interface LoadResult {
  requestsPerSec: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Drives a route with autocannon for a fixed time and returns throughput and latency. */
export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 16, duration: 10, ...opts });
  return {
    requestsPerSec: r.requests.average,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
