/**
 * Who runs the embedded PostgreSQL of a data folder. PostgreSQL's own `postmaster.pid` says which process serves the
 * folder; Confidant's `postgres.json` (next to the folder) says which Confidant process started it and where it
 * listens. A postmaster whose Confidant process is gone (killed with -9, crashed) is an orphan: the next start stops
 * it and starts again. One whose Confidant process lives is shared: a command uses it instead of starting a second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface OwnerFile {
  /** The Confidant process that started the postmaster (and stops it). */
  ownerPid: number;
  /** `server` (npm start) or `command` (a CLI command that started it for itself). */
  role: 'server' | 'command';
  postmasterPid: number;
  /** Where the database listens (the socket or loopback TCP). */
  url: string;
  /** The HTTP address a server announced, once it listens. */
  http?: string;
  dataDir: string;
  startedAt: string;
}

export const ownerFileOf = (dataDir: string) => path.join(path.dirname(dataDir), 'postgres.json');

export function readOwner(dataDir: string): OwnerFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(ownerFileOf(dataDir), 'utf8')) as OwnerFile;
  } catch {
    return undefined;
  }
}

export function writeOwner(dataDir: string, owner: OwnerFile) {
  const file = ownerFileOf(dataDir);
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(owner, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Removes the owner file if it still names this process. */
export function clearOwner(dataDir: string, pid = process.pid) {
  if (readOwner(dataDir)?.ownerPid === pid) fs.rmSync(ownerFileOf(dataDir), { force: true });
}

/** Whether a process with this pid exists (a process of another user counts; a zombie waiting to be reaped not). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return !fs.existsSync('/proc/self/stat'); // gone just now; or no /proc (macOS), where kill(0) is all we know
  }
}

/** The command line of a process, or '' when it cannot be read. */
function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}

/** Whether `pid` is a Confidant process (node running our CLI), not some process that got the pid since. */
export function isConfidant(pid: number): boolean {
  return alive(pid) && /node|tsx|confidant/.test(commandOf(pid));
}

/** The postmaster serving `dataDir` according to its pid file, if that process is a postgres still running. */
export function runningPostmaster(dataDir: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!alive(pid)) return undefined;
  const cmd = commandOf(pid);
  // Another program that got the pid after a reboot is not our postmaster (then the pid file is just stale).
  return cmd === '' || /postgres/.test(cmd) ? pid : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a postmaster that is not our child: fast shutdown, then immediate, then kill; waits until it is gone. */
export async function stopPostmaster(pid: number, patienceMs = 20_000): Promise<void> {
  const steps: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', patienceMs],
    ['SIGQUIT', 5000],
    ['SIGKILL', 5000],
  ];
  for (const [signal, wait] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + wait;
    while (Date.now() < deadline) {
      if (!alive(pid)) return;
      await sleep(50);
    }
  }
  throw new Error(`PostgreSQL (pid ${pid}) did not stop; stop it by hand (kill ${pid}) and start again`);
}
