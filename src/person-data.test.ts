/**
 * The registry (src/person-data.ts) against the migrated schema: every table is declared once, by the room that
 * owns it, and a table with a person column is declared with how it is exported, erased and merged. This is the only
 * place the schema is inspected for a person's data; the export, the erasure and the merge read the registry.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tableOwners } from './db/ownership.js';
import { listMigrations } from './db/migrate.js';
import { SECTIONS_WRITTEN_HERE } from './gatekeeper/export.js';
import { ERASE_STAGES, type PersonTable, personColumnOf, REGISTRY } from './person-data.js';
import { type TestDatabase, testDatabase } from './testing/databases.js';

let t: TestDatabase;
/** table -> its columns, from the migrated template. */
const columns = new Map<string, string[]>();
let keys: Array<{ child: string; parent: string; name: string }> = [];

before(async () => {
  t = await testDatabase({ fromTemplate: true });
  const r = await t.db.query(
    `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns FROM pg_class c
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
     GROUP BY c.relname`,
  );
  for (const row of r.rows) columns.set(row.table, row.columns);
  keys = (
    await t.db.query(
      `SELECT k.conname AS name, k.conrelid::regclass::text AS child, k.confrelid::regclass::text AS parent FROM pg_constraint k
       WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid`,
    )
  ).rows;
});
after(() => t.drop());

const owners = tableOwners();
const migrationOf = (table: string) =>
  listMigrations().find((m) =>
    new RegExp(`CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"?${table}\\b`, 'i').test(m.sql),
  );
const declared = REGISTRY.rooms.flatMap((r) => [
  ...r.person.map((x) => ({ room: r.room, kind: 'person' as const, t: x })),
  ...r.other.map((x) => ({ room: r.room, kind: 'other' as const, t: x })),
]);

test('every table is declared once, by its owner, in src/<owner>/tables.ts', () => {
  const problems: string[] = [];
  for (const [table, cols] of columns) {
    const owner = owners.get(table) ?? '(no room)';
    const mine = declared.filter((d) => d.t.table === table);
    const personal = cols.includes('person_id');
    if (mine.length === 0) {
      const where = migrationOf(table)?.file.replace(/^.*\/src\//, 'src/') ?? `src/${owner}/migrations`;
      problems.push(
        personal
          ? `table ${table} (${where}) holds a person's data but is not declared: add to \`person\` in src/${owner}/tables.ts ` +
              `{ table: '${table}', placement: 'by person', export: 'other_records', erase: 'other rooms', merge: '${cols.includes('brand_id') ? 'brand rows' : 'all rows'}' } ` +
              `(each choice is explained in src/person-data.ts; a new room also lists its tables.ts in ROOMS there)`
          : `table ${table} (${where}) is not declared: add to \`other\` in src/${owner}/tables.ts ` +
              `{ table: '${table}', placement: { reference: 'why every node needs it' } } (or byBrand / coordinator, see src/person-data.ts; ` +
              `a new room also lists its tables.ts in ROOMS there)`,
      );
      continue;
    }
    if (mine.length > 1)
      problems.push(`table ${table} is declared ${mine.length} times: keep the one in src/${owner}/tables.ts`);
    for (const d of mine) {
      if (d.room !== owner)
        problems.push(
          `table ${table} is declared by ${d.room} but ${owner} owns it: move the entry to src/${owner}/tables.ts`,
        );
      if (personal && d.kind === 'other')
        problems.push(
          `table ${table} has a person_id column: declare it in \`person\` of src/${owner}/tables.ts, not \`other\``,
        );
    }
  }
  for (const d of declared)
    if (!columns.has(d.t.table))
      problems.push(`src/${d.room}/tables.ts declares ${d.t.table}, which no migration creates: remove it`);
  assert.deepEqual(problems, []);
});

const person = declared.filter((d) => d.kind === 'person').map((d) => ({ room: d.room, ...(d.t as PersonTable) }));

test("a person table's columns fit what it declares", () => {
  const problems: string[] = [];
  const credential = /(token|secret|hash|password)/i;
  const timeColumns = ['created_at', 'at', 'sent_at', 'occurred_at'];
  for (const p of person) {
    const cols = columns.get(p.table) ?? [];
    const where = `src/${p.room}/tables.ts, ${p.table}`;
    if (!cols.includes(personColumnOf(p))) problems.push(`${where}: no column ${personColumnOf(p)} (set personColumn)`);
    if (
      (p.merge === 'brand rows' || (typeof p.merge === 'object' && 'follows' in p.merge)) &&
      !cols.includes('brand_id')
    )
      problems.push(`${where}: merge by brand needs a brand_id column; use 'all rows'`);
    if (typeof p.merge === 'object' && 'follows' in p.merge) {
      const parent = p.merge.follows;
      if (!keys.some((k) => k.child === p.table && k.parent === parent))
        problems.push(`${where}: follows ${parent} but has no foreign key to it (it would not move); use 'brand rows'`);
    }
    const generic = p.export === 'conversations' || p.export === 'messages' || p.export === 'other_records';
    if (generic) {
      for (const c of cols.filter((c) => credential.test(c) && !p.omit?.includes(c)))
        problems.push(
          `${where}: column ${c} looks like a credential: add it to omit, or export the table in a section of its own`,
        );
      const time = timeColumns.find((c) => cols.includes(c));
      if (p.orderBy && !cols.includes(p.orderBy)) problems.push(`${where}: orderBy ${p.orderBy} is not a column`);
      if (time && !p.orderBy) problems.push(`${where}: rows have a time (${time}): set orderBy: '${time}'`);
    } else if (typeof p.export === 'string') {
      if (!SECTIONS_WRITTEN_HERE[p.export]?.includes(p.table))
        problems.push(
          `${where}: the export section ${p.export} does not read ${p.table} (gatekeeper/export.ts); use 'other_records' or 'messages', or write it a section there`,
        );
    }
  }
  for (const [section, tables] of Object.entries(SECTIONS_WRITTEN_HERE))
    for (const table of tables)
      if (!person.some((p) => p.table === table && p.export === section))
        problems.push(
          `gatekeeper/export.ts writes ${table} in ${section}, but ${table} is not declared with export: '${section}'`,
        );
  assert.deepEqual(problems, []);
});

test('an erasure deletes children before their parents', () => {
  // The order of deletion: the stage, then the order of declaration (rooms in ROOMS order).
  const rank = (p: PersonTable) =>
    typeof p.erase === 'string'
      ? ERASE_STAGES.indexOf(p.erase) * 1000 + person.findIndex((x) => x.table === p.table)
      : null;
  const problems: string[] = [];
  for (const k of keys) {
    const child = person.find((p) => p.table === k.child);
    const parent = person.find((p) => p.table === k.parent);
    if (!child || !parent) continue;
    const c = rank(child);
    const pr = rank(parent);
    if (pr === null) continue; // a kept parent is never deleted
    if (c === null) problems.push(`${k.child} is kept but refers to ${k.parent}, which is erased (${k.name})`);
    else if (c > pr)
      problems.push(
        `${k.child} refers to ${k.parent} (${k.name}) but is erased after it: erase it in an earlier stage, or declare it before ${k.parent}`,
      );
  }
  assert.deepEqual(problems, []);
});
