/**
 * A room writes only its own tables. The owner of a table is the room whose migrations create it (db/ownership.ts);
 * this test reads every migration and every source file of every room and fails on a write (INSERT, UPDATE, DELETE,
 * TRUNCATE, COPY, ALTER TABLE, CREATE INDEX, a trigger) to a table another room owns. Call the owner's front door
 * (`src/<owner>/index.ts`) instead, or ask the owner for a function there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testDatabase } from '../testing/databases.js';
import { listMigrations } from './migrate.js';
import { roomOf, tableOwners, writesIn } from './ownership.js';

const SRC = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const migrations = listMigrations();
const owners = tableOwners(migrations);

/**
 * Writes still present because another helper's move has not landed yet. Each names who removes it; an entry that
 * is no longer needed fails the test, so the list ends empty once they land.
 */
const NOT_YET_MOVED: Array<{ room: string; table: string; until: string }> = [];

/**
 * Statements of migrations landed before this rule, which can never be edited (the runner refuses a changed one).
 * Each is listed with what makes it right today.
 */
const LANDED_BEFORE_THE_RULE: Array<{ migration: number; table: string; what: string; why: string }> = [
  {
    migration: 21,
    table: 'server_settings',
    what: 'INSERT INTO',
    why: "the suppression key; server settings are written through brands' front door since",
  },
  {
    migration: 22,
    table: 'brands',
    what: 'ALTER TABLE',
    why: "webhook_secret is a column of brands, written only by brands' setWebhook",
  },
];

/** Each trigger that stands after every migration: the migration that declared it last. */
const lastTriggerDeclaration = new Map<string, number>();
for (const m of migrations)
  for (const w of writesIn(m.sql, { sql: true })) {
    if (w.what === 'CREATE TRIGGER') lastTriggerDeclaration.set(`${w.trigger} ON ${w.table}`, m.version);
    if (w.what === 'DROP TRIGGER') lastTriggerDeclaration.delete(`${w.trigger} ON ${w.table}`);
  }

test("no migration writes, alters or puts a trigger on another room's table", () => {
  const problems: string[] = [];
  for (const m of migrations) {
    const room = roomOf(m);
    for (const w of writesIn(m.sql, { sql: true })) {
      const owner = owners.get(w.table);
      if (!owner || owner === room) continue;
      // A trigger declared again (or dropped) later by the table's owner does not stand as this room's.
      if (w.what === 'CREATE TRIGGER' && lastTriggerDeclaration.get(`${w.trigger} ON ${w.table}`) !== m.version)
        continue;
      if (LANDED_BEFORE_THE_RULE.some((x) => x.migration === m.version && x.table === w.table && x.what === w.what))
        continue;
      problems.push(
        `${path.relative(SRC, m.file)}: ${w.what} ${w.table}${w.trigger ? ` (trigger ${w.trigger})` : ''} — ${w.table} belongs to ${owner}; declare it in src/${owner}/migrations/ (a new migration) or call ${owner}'s functions`,
      );
    }
  }
  assert.deepEqual(problems, []);
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'public' ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

test("no room's code writes another room's table", () => {
  const problems: string[] = [];
  const used = new Set<(typeof NOT_YET_MOVED)[number]>();
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file);
    const room = rel.includes(path.sep) ? rel.split(path.sep)[0] : '(src)';
    if (room === 'testing') continue; // the test harness seeds any table
    for (const w of writesIn(fs.readFileSync(file, 'utf8'), { sql: false })) {
      const owner = owners.get(w.table);
      if (!owner || owner === room) continue;
      const excused = NOT_YET_MOVED.find((x) => x.room === room && x.table === w.table);
      if (excused) {
        used.add(excused);
        continue;
      }
      problems.push(
        `src/${rel}: ${w.what} ${w.table} — ${w.table} belongs to ${owner}: call a function of src/${owner}/index.ts (add one there if it is missing)`,
      );
    }
  }
  assert.deepEqual(problems, []);
  const stale = NOT_YET_MOVED.filter((x) => !used.has(x));
  assert.deepEqual(
    stale.map((x) => `${x.room} no longer writes ${x.table}: delete its entry from NOT_YET_MOVED`),
    [],
  );
});

test('every table and trigger of the migrated schema has an owner, and each trigger is declared by it', async () => {
  const t = await testDatabase({ fromTemplate: true });
  try {
    const tables = await t.db.query(
      `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') ORDER BY 1`,
    );
    const orphans = tables.rows
      .map((r) => r.relname as string)
      .filter((n) => n !== 'schema_migrations' && !owners.has(n));
    assert.deepEqual(orphans, [], 'tables no migration creates with CREATE TABLE');
    const triggers = await t.db.query(
      `SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal ORDER BY 2, 1`,
    );
    assert.ok(triggers.rowCount);
    const problems: string[] = [];
    for (const { tgname, relname } of triggers.rows) {
      const v = lastTriggerDeclaration.get(`${tgname} ON ${relname}`);
      const m = migrations.find((x) => x.version === v);
      if (!m) problems.push(`trigger ${tgname} on ${relname} is declared by no migration the test can read`);
      else if (roomOf(m) !== owners.get(relname))
        problems.push(`trigger ${tgname} on ${relname} is declared by ${m.name}, not by ${owners.get(relname)}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await t.drop();
  }
});

test('the rule sees writes as the house writes them', () => {
  const found = writesIn(
    `await tx.query('UPDATE brand_customers bc SET traits = $1');
     // we update the orders here (prose)
     await tx.query(\`INSERT INTO "facts" (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2\`);
     await tx.query('DELETE FROM events WHERE person_id = $1 FOR UPDATE OF x');`,
    { sql: false },
  ).map((w) => `${w.what} ${w.table}`);
  assert.deepEqual(found.sort(), ['DELETE FROM events', 'INSERT INTO facts', 'UPDATE brand_customers']);
  const sql = writesIn('CREATE TRIGGER t1 AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f(); -- ALTER TABLE x', {
    sql: true,
  });
  assert.deepEqual(sql, [{ table: 'orders', what: 'CREATE TRIGGER', trigger: 't1' }]);
  assert.equal(owners.get('orders'), 'orders');
  assert.equal(owners.get('facts'), 'profile');
  assert.equal(owners.get('person_changes'), 'gatekeeper');
});
