/**
 * Citus's rules, checked against the schema with the registry's placements (src/person-data.ts), and the statements
 * that distribute a Confidant database (`npx confidant distribution`):
 * - every primary key and unique index of a distributed table includes its distribution column;
 * - a foreign key between two distributed tables includes the distribution column on both sides;
 * - otherwise a distributed table (or one kept on the coordinator) refers only to reference tables, and a reference
 *   table only to reference tables.
 * Where a rule cannot hold as the schema is, the table's declaration says how it is placed instead (`citus`), and
 * the distribution statements make that change first.
 */
import type { Queryable } from './pool.js';
import { allTables, type CitusException, type Placement, type PersonDataRegistry, REGISTRY } from '../person-data.js';

type Kind = 'person' | 'brand' | 'reference' | 'coordinator';
const kindOf = (p: Placement): Kind =>
  p === 'by person' ? 'person' : 'byBrand' in p ? 'brand' : 'reference' in p ? 'reference' : 'coordinator';

interface Placed {
  room: string;
  table: string;
  kind: Kind;
  /** The distribution column (person or brand). */
  column: string | null;
  citus?: CitusException[];
}

function placed(registry: PersonDataRegistry): Map<string, Placed> {
  const m = new Map<string, Placed>();
  for (const t of allTables(registry)) {
    const kind = kindOf(t.placement);
    const personColumn = 'personColumn' in t ? (t.personColumn as string | undefined) : undefined;
    const column = kind === 'person' ? (personColumn ?? 'person_id') : kind === 'brand' ? 'brand_id' : null;
    m.set(t.table, { room: t.room, table: t.table, kind, column, citus: t.citus });
  }
  return m;
}

export interface Violation {
  table: string;
  /** The constraint or index. */
  name: string;
  rule: string;
}

const distributed = (k: Kind) => k === 'person' || k === 'brand';

/** What breaks Citus's rules, with `exceptions` applied or not. */
export async function citusViolations(
  db: Queryable,
  registry: PersonDataRegistry = REGISTRY,
  opts: { applyExceptions?: boolean } = {},
): Promise<Violation[]> {
  const tables = placed(registry);
  const excepted = (table: string, name: string) =>
    opts.applyExceptions && tables.get(table)?.citus?.some((x) => x.name === name);
  const found: Violation[] = [];
  const uniques = await db.query(
    `SELECT c.relname AS table, i.relname AS name, ARRAY(SELECT a.attname::text FROM unnest(x.indkey) k JOIN pg_attribute a
       ON a.attrelid = c.oid AND a.attnum = k) AS columns, x.indexprs IS NOT NULL AS expression
     FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND x.indisunique`,
  );
  for (const u of uniques.rows as Array<{ table: string; name: string; columns: string[] }>) {
    const t = tables.get(u.table);
    if (!t || !distributed(t.kind) || u.columns.includes(t.column!) || excepted(u.table, u.name)) continue;
    found.push({
      table: u.table,
      name: u.name,
      rule: `unique (${u.columns.join(', ') || 'an expression'}) of a table distributed by ${t.column} does not include it`,
    });
  }
  const keys = await db.query(
    `SELECT k.conname AS name, c.relname AS child, p.relname AS parent,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) n JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = n) AS refs
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`,
  );
  for (const k of keys.rows as Array<{
    name: string;
    child: string;
    parent: string;
    columns: string[];
    refs: string[];
  }>) {
    const c = tables.get(k.child);
    const p = tables.get(k.parent);
    if (!c || !p || excepted(k.child, k.name)) continue;
    let rule: string | null = null;
    if (distributed(c.kind) && distributed(p.kind)) {
      const i = k.columns.indexOf(c.column!);
      if (c.kind !== p.kind || i < 0 || k.refs[i] !== p.column)
        rule = `a key between distributed tables must pair ${k.child}.${c.column} with ${k.parent}.${p.column} (same distribution)`;
    } else if (p.kind !== 'reference') {
      rule = `a ${c.kind === 'reference' ? 'reference' : c.kind === 'coordinator' ? 'coordinator' : 'distributed'} table may refer only to reference tables, and ${k.parent} is ${p.kind === 'coordinator' ? 'kept on the coordinator' : 'distributed'}`;
    }
    if (rule) found.push({ table: k.child, name: k.name, rule });
  }
  return found.sort((a, b) => `${a.table} ${a.name}`.localeCompare(`${b.table} ${b.name}`));
}

/**
 * The statements that distribute a migrated Confidant database on Citus, in order: reference tables, the changes the
 * registry declares where a rule cannot hold, the tables distributed by person (co-located with persons), those
 * distributed by brand (co-located with each other), and the coordinator's own tables.
 */
export async function distributionStatements(
  db: Queryable,
  registry: PersonDataRegistry = REGISTRY,
): Promise<string[]> {
  const tables = [...placed(registry).values()];
  // Parents before children: a table goes after every table it refers to.
  const refs = await db.query(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND c.oid <> p.oid`,
  );
  const parents = new Map<string, string[]>();
  for (const r of refs.rows) parents.set(r.child, [...(parents.get(r.child) ?? []), r.parent]);
  const ordered: Placed[] = [];
  const visit = (t: Placed, path: Set<string>) => {
    if (ordered.includes(t) || path.has(t.table)) return;
    path.add(t.table);
    for (const p of parents.get(t.table) ?? []) {
      const parent = tables.find((x) => x.table === p);
      if (parent) visit(parent, path);
    }
    ordered.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.table.localeCompare(b.table))) visit(t, new Set());

  const out: string[] = ['-- Reference tables: copied to every node.'];
  for (const t of ordered.filter((x) => x.kind === 'reference'))
    out.push(`SELECT create_reference_table('${t.table}');`);
  const changes: string[] = [];
  for (const t of ordered)
    for (const x of t.citus ?? []) {
      if (x.instead === 'drop key') {
        changes.push(`-- ${t.table}: ${x.why}`, `ALTER TABLE ${t.table} DROP CONSTRAINT ${x.name};`);
      } else {
        const def = await db.query(
          `SELECT pg_get_indexdef(i.oid) AS def FROM pg_class i WHERE i.relname = $1 AND i.relnamespace = current_schema()::regnamespace`,
          [x.name],
        );
        if (!def.rowCount) continue;
        changes.push(
          `-- ${t.table}: ${x.why}`,
          `DROP INDEX ${x.name};`,
          `${(def.rows[0].def as string).replace(/^CREATE UNIQUE INDEX/, 'CREATE INDEX')};`,
        );
      }
    }
  if (changes.length)
    out.push('-- Where a rule of Citus cannot hold as the schema is (src/<room>/tables.ts says why):', ...changes);
  const byPerson = ordered.filter((x) => x.kind === 'person');
  const anchor = byPerson.find((x) => x.table === 'persons') ?? byPerson[0];
  out.push("-- Distributed by person, all co-located: a person's rows are on one node.");
  for (const t of byPerson)
    out.push(
      t === anchor
        ? `SELECT create_distributed_table('${t.table}', '${t.column}');`
        : `SELECT create_distributed_table('${t.table}', '${t.column}', colocate_with => '${anchor.table}');`,
    );
  const byBrand = ordered.filter((x) => x.kind === 'brand');
  if (byBrand.length) out.push('-- Distributed by brand: keys unique per brand, not per person.');
  for (const [i, t] of byBrand.entries())
    out.push(
      i === 0
        ? `SELECT create_distributed_table('${t.table}', 'brand_id', colocate_with => 'none');`
        : `SELECT create_distributed_table('${t.table}', 'brand_id', colocate_with => '${byBrand[0].table}');`,
    );
  const local = ordered.filter((x) => x.kind === 'coordinator');
  if (local.length) out.push("-- Kept on the coordinator: the server's own bookkeeping.");
  for (const t of local) out.push(`SELECT citus_add_local_table_to_metadata('${t.table}');`);
  return out;
}
