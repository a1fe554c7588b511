/** `confidant start` (and other commands) as a person runs them: real child processes, their output kept. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
// tsx by its path, so a command can run from any folder.
const TSX = import.meta.resolve('tsx');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  log: () => string;
}

/** Starts `confidant start` and waits for the line that says where it listens. */
export async function startServerProcess(env: Record<string, string>, cwd = ROOT): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'start'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const startedAt = Date.now();
    const timer = setInterval(() => {
      const m = /Confidant is listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      } else if (Date.now() - startedAt > 150_000) {
        clearInterval(timer);
        child.kill('SIGKILL');
        reject(new Error(`not listening after 150 s: ${out.slice(-4000)}`));
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}: ${out.slice(-4000)}`));
    });
  });
  return { child, url, log: () => out };
}

/** Ctrl-C; a process still running a minute later (say, waiting for a model to train) fails with what it printed. */
export const stopServerProcess = (s: { child: ChildProcess; log: () => string }) =>
  new Promise<number | null>((resolve, reject) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve(s.child.exitCode);
    const timer = setTimeout(() => {
      s.child.kill('SIGKILL');
      reject(new Error(`still running 60 s after Ctrl-C: ${s.log().slice(-4000)}`));
    }, 60_000);
    s.child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    s.child.kill('SIGINT');
  });

/** Runs a CLI command to its end: its exit code and what it printed (stdout, stderr). */
export function runCommand(args: string[], env: Record<string, string | undefined>, cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
