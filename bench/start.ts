/**
 * `npm run bench:start`: how long `confidant start` takes to listen (a new data folder, an existing one, and after
 * the server was killed with -9 and its PostgreSQL left running), and a CLI command with and without a server
 * running on the folder. Without the demo world (its loading is measured by bench:import). Real processes, from a
 * private (0700) folder; as root, PostgreSQL runs as the postgres user with its data placed where it reaches it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ServerProcess,
  runCommand,
  startServerProcess,
  stopServerProcess,
} from '../src/testing/server-process.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-bench-start-'));
const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-bench-shared-'));
fs.chmodSync(shared, 0o755);
const home = path.join(base, '.confidant');
const env = { CONFIDANT_HOME: home, CONFIDANT_DEMO: '0', CONFIDANT_SHARED_DIR: shared, LOG_LEVEL: 'warn' };

const ticks = 100; // USER_HZ on Linux
/** CPU seconds a process has used so far (Linux), and its resident memory in MB. */
function usage(pid: number): { cpu: number; rssMb: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      cpu: (Number(stat[11]) + Number(stat[12])) / ticks,
      rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024,
    };
  } catch {
    return { cpu: Number.NaN, rssMb: Number.NaN };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timedStart(): Promise<{ s: ServerProcess; ms: number; cpu: number; rssMb: number }> {
  const t0 = Date.now();
  const s = await startServerProcess(env);
  const ms = Date.now() - t0;
  return { s, ms, ...usage(s.child.pid!) };
}
const postmaster = () => JSON.parse(fs.readFileSync(path.join(home, 'postgres.json'), 'utf8')).postmasterPid as number;

try {
  const rows: Array<[string, number[], number[], number[]]> = [];
  const cold = await timedStart();
  rows.push(['new data folder (initdb, schema)', [cold.ms], [cold.cpu], [cold.rssMb]]);
  let s = cold.s;

  const warm: number[][] = [[], [], []];
  const killed: number[][] = [[], [], []];
  for (let i = 0; i < ROUNDS; i++) {
    await stopServerProcess(s);
    const w = await timedStart();
    warm[0].push(w.ms);
    warm[1].push(w.cpu);
    warm[2].push(w.rssMb);
    s = w.s;
  }
  for (let i = 0; i < ROUNDS; i++) {
    const orphan = postmaster();
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));
    const k = await timedStart();
    if (!/left running by a Confidant process that ended/.test(k.s.log())) throw new Error(`no recovery: ${k.s.log()}`);
    if (postmaster() === orphan) throw new Error('the orphan postmaster was kept');
    killed[0].push(k.ms);
    killed[1].push(k.cpu);
    killed[2].push(k.rssMb);
    s = k.s;
  }
  rows.push(['existing data folder', ...(warm as [number[], number[], number[]])]);
  rows.push(['after kill -9 (orphan PostgreSQL stopped first)', ...(killed as [number[], number[], number[]])]);

  const cli = (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = Date.now();
      const r = runCommand(['brands', 'create', `Bench ${n}-${i}`], {
        CONFIDANT_HOME: home,
        CONFIDANT_SHARED_DIR: shared,
      });
      if (r.code !== 0) throw new Error(r.stderr);
      out.push(Date.now() - t0);
    }
    return out;
  };
  const joined = cli(1);
  await stopServerProcess(s);
  const alone = cli(2);

  console.log(`bench:start (${ROUNDS} rounds, medians; CPU and memory of the node process at "listening")`);
  console.log('| start | wall | node CPU | node RSS |');
  console.log('|---|---|---|---|');
  for (const [name, ms, cpu, rss] of rows)
    console.log(`| ${name} | ${fmt(median(ms))} | ${median(cpu).toFixed(2)} s | ${median(rss).toFixed(0)} MB |`);
  console.log(
    `\`brands create\`: ${fmt(median(joined))} with the server running (uses its PostgreSQL) vs ${fmt(median(alone))} alone (starts and stops its own): ${(median(alone) / median(joined)).toFixed(2)}x`,
  );
} finally {
  fs.rmSync(base, { recursive: true, force: true });
  fs.rmSync(shared, { recursive: true, force: true });
}
