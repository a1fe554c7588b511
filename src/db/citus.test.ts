/**
 * Citus's rules on today's schema, with each table placed as its room declares (src/<room>/tables.ts). A rule a
 * table cannot keep is declared there (`citus`), saying what is done instead; the distribution statements
 * (`npx confidant distribution`) make those changes, after which the schema keeps every rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGISTRY } from '../person-data.js';
import { testDatabase } from '../testing/databases.js';
import { citusViolations, distributionStatements } from './citus.js';

const explain = (v: { table: string; name: string; rule: string }) => {
  const room = REGISTRY.rooms.find((r) => [...r.person, ...r.other].some((t) => t.table === v.table))?.room;
  return `${v.table} ${v.name}: ${v.rule} — change the schema in a new migration, or declare in src/${room}/tables.ts citus: [{ name: '${v.name}', instead: 'plain index' | 'drop key', why: '...' }]`;
};

test("today's schema keeps Citus's rules, where not declared otherwise; every declared exception is needed", async () => {
  const t = await testDatabase({ fromTemplate: true });
  try {
    assert.deepEqual((await citusViolations(t.db, REGISTRY, { applyExceptions: true })).map(explain), []);
    const raw = await citusViolations(t.db, REGISTRY);
    const stale = REGISTRY.rooms.flatMap((r) =>
      [...r.person, ...r.other].flatMap((x) =>
        (x.citus ?? [])
          .filter((c) => !raw.some((v) => v.table === x.table && v.name === c.name))
          .map((c) => `src/${r.room}/tables.ts: ${x.table} declares ${c.name}, which breaks no rule: remove it`),
      ),
    );
    assert.deepEqual(stale, []);

    // The distribution statements' changes make every rule hold, with no exception left.
    const statements = await distributionStatements(t.db);
    const changes = statements.filter((s) => !s.startsWith('--') && !s.startsWith('SELECT '));
    assert.ok(changes.length > 0);
    for (const s of changes) await t.db.query(s);
    assert.deepEqual((await citusViolations(t.db, REGISTRY)).map(explain), []);
  } finally {
    await t.drop();
  }
});

test('the distribution statements place every table once, parents before children', async () => {
  const t = await testDatabase({ fromTemplate: true });
  try {
    const statements = await distributionStatements(t.db);
    const placedTables = statements.flatMap((s) => {
      const m =
        /^SELECT (create_reference_table|create_distributed_table|citus_add_local_table_to_metadata)\('(\w+)'/.exec(s);
      return m ? [m[2]] : [];
    });
    const tables = (
      await t.db.query(
        `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relname <> 'schema_migrations' ORDER BY 1`,
      )
    ).rows.map((r) => r.relname as string);
    assert.deepEqual([...placedTables].sort(), tables);
    const at = (table: string) => placedTables.indexOf(table);
    assert.ok(at('brands') < at('persons') && at('persons') < at('orders') && at('orders') < at('shipments'));
    assert.ok(statements.includes("SELECT create_distributed_table('persons', 'id');"));
    assert.ok(
      statements.includes("SELECT create_distributed_table('orders', 'person_id', colocate_with => 'persons');"),
    );
    assert.ok(statements.includes("SELECT create_reference_table('products');"));
  } finally {
    await t.drop();
  }
});

test('the rules see a table that breaks them', async () => {
  const t = await testDatabase({ fromTemplate: true });
  try {
    await t.db.query(`CREATE TABLE wishes (person_id uuid NOT NULL REFERENCES persons(id), wish_id int NOT NULL,
        brand_id bigint NOT NULL, PRIMARY KEY (person_id, wish_id));
      CREATE UNIQUE INDEX wishes_brand ON wishes (brand_id, wish_id);
      CREATE TABLE wish_notes (person_id uuid NOT NULL, wish_id int NOT NULL, note text,
        FOREIGN KEY (person_id, wish_id) REFERENCES wishes, FOREIGN KEY (person_id) REFERENCES persons(id));
      CREATE TABLE wish_counts (wish_id int NOT NULL, person_id uuid NOT NULL, FOREIGN KEY (person_id, wish_id) REFERENCES wishes)`);
    const wish = (table: string) =>
      ({ table, placement: 'by person', export: 'other_records', erase: 'other rooms', merge: 'all rows' }) as const;
    const registry = {
      rooms: [
        ...REGISTRY.rooms,
        {
          room: 'wishes',
          person: [wish('wishes'), wish('wish_notes')],
          other: [{ table: 'wish_counts', placement: { coordinator: 'a count' } }],
        },
      ],
    };
    const found = (await citusViolations(t.db, registry, { applyExceptions: true })).filter((v) =>
      v.table.startsWith('wish'),
    );
    assert.deepEqual(
      found.map((v) => `${v.table} ${v.name}`),
      ['wish_counts wish_counts_person_id_wish_id_fkey', 'wishes wishes_brand'],
    );
  } finally {
    await t.drop();
  }
});
