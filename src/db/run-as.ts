/**
 * PostgreSQL refuses to run as root. Started by root, Confidant runs it as the system user `postgres` (made if
 * missing), and that user must reach the programs and the data folder. A clone in root's home (0700) or a data
 * folder in a private `mktemp -d` folder is out of its reach: then the programs are copied, and the data folder
 * placed, under a shared folder it can reach (`/var/lib/confidant`, or `CONFIDANT_SHARED_DIR`), the data folder
 * linked from where it was asked for, and one line says so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

export interface RunAs {
  uid: number;
  gid: number;
  user: string;
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

const sharedDir = (env = process.env) => env.CONFIDANT_SHARED_DIR || '/var/lib/confidant';

/** The `postgres` user to run as (made, as a system user without a login, when missing). */
export function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), user: 'postgres' };
  } catch {
    try {
      execFileSync(
        'useradd',
        ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
        {
          stdio: 'pipe',
        },
      );
      return { uid: id('-u'), gid: id('-g'), user: 'postgres' };
    } catch (err) {
      throw new Error(
        `PostgreSQL cannot run as root, and making a "postgres" user failed (${(err as Error).message.split('\n')[0]}); create one (useradd --system postgres) or start Confidant as another user`,
      );
    }
  }
}

/** Whether `who` can do `test <flag> target` (traversing every folder on the way). */
export function canReach(who: RunAs, target: string, flag: '-x' | '-w' | '-r'): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test "$0" "$1"', flag, target], { uid: who.uid, gid: who.gid });
  return r.status === 0;
}

/** The programs' folder (`bin`, `lib`, `share`) where `who` can run them: where it is, or a shared copy. */
export function reachablePrograms(who: RunAs, nativeDir: string, version: string, say: (line: string) => void): string {
  if (canReach(who, path.join(nativeDir, 'bin', 'postgres'), '-x')) return nativeDir;
  const root = sharedDir();
  const target = path.join(root, `postgres-${version}`);
  const copied = !fs.existsSync(path.join(target, 'bin', 'postgres'));
  if (copied) {
    fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    // Copied beside the target and renamed into place: two starts at once never see half a copy.
    const tmp = `${target}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    try {
      fs.renameSync(tmp, target);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another start put it there first
    }
  }
  if (!canReach(who, path.join(target, 'bin', 'postgres'), '-x'))
    throw new Error(
      `PostgreSQL runs as user ${who.user}, which cannot reach ${target} either; make ${root} reachable (chmod 755) or set CONFIDANT_SHARED_DIR to a folder it can reach`,
    );
  if (copied)
    say(
      `Running as root: PostgreSQL runs as user ${who.user}, which cannot reach ${nativeDir}; its programs are copied to ${target}.`,
    );
  return target;
}

/**
 * The data folder `who` owns and reaches: `dataDir` itself when `who` can get there, else a folder under the shared
 * folder, linked from `dataDir`. Returns the real path (PostgreSQL is given it, not the link).
 */
export function reachableDataDir(who: RunAs, dataDir: string, say: (line: string) => void): string {
  const asked = path.resolve(dataDir);
  let real = fs.existsSync(asked) ? fs.realpathSync(asked) : asked;
  const parentReachable = canReach(who, path.dirname(real), '-x');
  if (!parentReachable) {
    if (fs.existsSync(asked) && !fs.lstatSync(asked).isSymbolicLink() && fs.readdirSync(asked).length > 0)
      throw new Error(
        `PostgreSQL runs as user ${who.user}, which cannot reach the data in ${asked}; let it through the folders above (chmod o+x) or move the folder (CONFIDANT_HOME) somewhere it can reach`,
      );
    const name = crypto.createHash('sha256').update(asked).digest('hex').slice(0, 16);
    real = path.join(sharedDir(), 'data', name);
    fs.mkdirSync(path.dirname(real), { recursive: true, mode: 0o755 });
    fs.chmodSync(sharedDir(), 0o755);
    fs.chmodSync(path.dirname(real), 0o755);
    fs.rmSync(asked, { recursive: true, force: true }); // an empty folder or a dangling link
    fs.mkdirSync(path.dirname(asked), { recursive: true });
    fs.symlinkSync(real, asked);
    say(
      `Running as root: PostgreSQL runs as user ${who.user}, which cannot reach ${path.dirname(asked)}; its data is in ${real} (linked from ${asked}).`,
    );
  }
  fs.mkdirSync(real, { recursive: true, mode: 0o700 });
  const st = fs.statSync(real);
  if (st.uid !== who.uid) {
    fs.chownSync(real, who.uid, who.gid);
    fs.chmodSync(real, 0o700);
  }
  return real;
}
