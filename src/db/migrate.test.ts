import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { schemaPicture, testDatabase } from '../testing/databases.js';
import { checksumOf, listMigrations, migrate } from './migrate.js';
import type { Db } from './pool.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const OLD = path.join(HERE, 'fixtures/old-migrations');

/**
 * Data folders made by older commits: each lists the migration files that commit had, with the SQL it had (a file
 * in fixtures/old-migrations, taken from `git show <commit>:<file>`) or null where it is today's file unchanged.
 */
const STATES: Record<string, Array<{ file: string; sql: string | null }>> = JSON.parse(
  fs.readFileSync(path.join(OLD, 'states.json'), 'utf8'),
);

/** What the runner before checksums did: the number and name recorded, each file in its own transaction. */
async function migrateAsBefore(db: Db, files: Array<{ file: string; sql: string | null }>) {
  await db.query(`CREATE TABLE schema_migrations (
    version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const f of files) {
    const m = /^src\/([^/]+)\/migrations\/(\d+)_(.+)\.sql$/.exec(f.file);
    assert.ok(m, f.file);
    const sql = fs.readFileSync(f.sql ? path.join(OLD, f.sql) : path.join(ROOT, f.file), 'utf8');
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        Number(m[2]),
        `${m[1]}/${m[3]}`,
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
}

describe('a data folder made by an older commit', () => {
  test('the fixtures are the files those commits had', () => {
    // Every file marked unchanged is still there; every old text differs from today's (or today's is gone).
    for (const files of Object.values(STATES)) {
      for (const f of files) {
        const today = path.join(ROOT, f.file);
        if (f.sql === null) assert.ok(fs.existsSync(today), f.file);
        else if (fs.existsSync(today))
          assert.notEqual(fs.readFileSync(path.join(OLD, f.sql), 'utf8'), fs.readFileSync(today, 'utf8'), f.sql);
      }
    }
    assert.ok(STATES['93d87dc'].some((f) => f.file.endsWith('047_audit_fence.sql')));
  });

  for (const [commit, files] of Object.entries(STATES)) {
    test(`made at ${commit}: today's migrate brings it to today's schema, keeping its data`, async () => {
      const old = await testDatabase();
      const fresh = await testDatabase({ fromTemplate: true });
      try {
        await migrateAsBefore(old.db, files);
        const person = (
          await old.db.query(`INSERT INTO persons (id, email, display_name) VALUES (gen_random_uuid(), 'old@example.com', 'Old')
            RETURNING id`)
        ).rows[0].id as string;
        await migrate(old.db);
        assert.deepEqual(await schemaPicture(old.db), await schemaPicture(fresh.db));
        // What such a folder lacked: a change to a person's facts is logged for the kept views.
        await old.db.query(
          `INSERT INTO facts (person_id, fact_id, about, kind, value, value_key, polarity, source, confidence, sensitivity, scope, stated_at, updated_at)
           VALUES ($1, gen_random_uuid(), 'self', 'diet', '"keto"', 'keto', 'positive', 'stated', 1, 'normal', 'diet', now(), now())`,
          [person],
        );
        const logged = await old.db.query('SELECT count(*)::int AS n FROM person_changes WHERE person_id = $1', [
          person,
        ]);
        assert.equal(logged.rows[0].n, 1);
        // A second start has nothing to do.
        assert.equal(await migrate(old.db), 0);
      } finally {
        await old.drop();
        await fresh.drop();
      }
    });
  }
});

/** A folder of rooms with migrations, for the runner's own rules. */
function roomsFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), sql);
  }
  return dir;
}

describe('applied migrations never change', () => {
  const first = {
    'shop/migrations/001_shelves.sql': 'CREATE TABLE shelves (id int PRIMARY KEY);',
    'shop/migrations/002_labels.sql': 'ALTER TABLE shelves ADD COLUMN label text;',
  };

  test('each applied migration is recorded with its name and checksum; a new one is appended', async () => {
    const t = await testDatabase();
    const src = roomsFolder(first);
    try {
      assert.equal(await migrate(t.db, { src }), 2);
      const rows = (await t.db.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version')).rows;
      assert.deepEqual(rows, [
        { version: 1, name: 'shop/shelves', checksum: checksumOf(first['shop/migrations/001_shelves.sql']) },
        { version: 2, name: 'shop/labels', checksum: checksumOf(first['shop/migrations/002_labels.sql']) },
      ]);
      fs.writeFileSync(path.join(src, 'shop/migrations/003_colour.sql'), 'ALTER TABLE shelves ADD COLUMN colour text;');
      assert.equal(await migrate(t.db, { src }), 1);
      // Line ends do not count as a change.
      fs.writeFileSync(
        path.join(src, 'shop/migrations/003_colour.sql'),
        'ALTER TABLE shelves ADD COLUMN colour text;\r\n'.trimEnd(),
      );
      assert.equal(await migrate(t.db, { src }), 0);
    } finally {
      await t.drop();
      fs.rmSync(src, { recursive: true });
    }
  });

  for (const [what, change, expected] of [
    [
      'a changed one',
      (src: string) => fs.appendFileSync(path.join(src, 'shop/migrations/002_labels.sql'), '\nSELECT 1;'),
      /migration 002 \(.*shop\/migrations\/002_labels\.sql\) was changed after it was applied.*restore it as it was.*new migration with the next free number/s,
    ],
    [
      'a renamed one',
      (src: string) =>
        fs.renameSync(path.join(src, 'shop/migrations/002_labels.sql'), path.join(src, 'shop/migrations/002_tags.sql')),
      /migration 002 was applied as shop\/labels but .*002_tags\.sql now holds that number/,
    ],
    [
      'a removed one',
      (src: string) => fs.rmSync(path.join(src, 'shop/migrations/002_labels.sql')),
      /migration 002 \(shop\/labels\) was applied to this database but its file is gone: restore src\/shop\/migrations\/002_labels\.sql/,
    ],
  ] as const) {
    test(`${what} is refused with the file and the fix, and nothing is applied`, async () => {
      const t = await testDatabase();
      const src = roomsFolder(first);
      try {
        await migrate(t.db, { src });
        change(src);
        fs.writeFileSync(
          path.join(src, 'shop/migrations/003_colour.sql'),
          'ALTER TABLE shelves ADD COLUMN colour text;',
        );
        await assert.rejects(migrate(t.db, { src }), expected);
        const n = await t.db.query('SELECT count(*)::int AS n FROM schema_migrations');
        assert.equal(n.rows[0].n, 2);
      } finally {
        await t.drop();
        fs.rmSync(src, { recursive: true });
      }
    });
  }

  test('a schema_migrations from before checksums is upgraded in place; an unknown record is refused', async () => {
    const t = await testDatabase();
    const src = roomsFolder(first);
    try {
      await t.db.query(`CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE shelves (id int PRIMARY KEY);
        INSERT INTO schema_migrations (version, name) VALUES (1, 'shop/shelves');`);
      assert.equal(await migrate(t.db, { src }), 1);
      const rows = (await t.db.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;
      assert.deepEqual(
        rows.map((r) => r.checksum),
        [checksumOf(first['shop/migrations/001_shelves.sql']), checksumOf(first['shop/migrations/002_labels.sql'])],
      );

      const other = await testDatabase();
      try {
        await other.db.query(`CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
          INSERT INTO schema_migrations (version, name) VALUES (1, 'shop/cupboards');`);
        await assert.rejects(
          migrate(other.db, { src }),
          /applied migrations this code does not have: 1 \(shop\/cupboards\)/,
        );
      } finally {
        await other.drop();
      }
    } finally {
      await t.drop();
      fs.rmSync(src, { recursive: true });
    }
  });

  test("today's migrations: numbers unique, each file named NNN_name.sql in a room's migrations folder", () => {
    const all = listMigrations();
    assert.ok(all.length > 10);
    for (const m of all) assert.match(path.relative(ROOT, m.file), /^src\/[a-z-]+\/migrations\/\d{3}_[a-z0-9_]+\.sql$/);
  });
});
