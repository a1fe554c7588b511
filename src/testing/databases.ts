/** Test databases of their own: empty, or cloned from the migrated template; and a comparable picture of a schema. */
import crypto from 'node:crypto';
import { createPool, type Db, type Queryable } from '../db/pool.js';

export interface TestDatabase {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A new database, empty or (`fromTemplate`) cloned from the template `npm test` migrated with today's files. */
export async function testDatabase(opts: { fromTemplate?: boolean } = {}): Promise<TestDatabase> {
  const base = process.env.CONFIDANT_TEST_DATABASE_URL;
  if (!base) throw new Error('run the tests with `npm test` (it starts the test PostgreSQL)');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = createPool(base, 1);
  await admin.query(`CREATE DATABASE ${name}${opts.fromTemplate ? ' TEMPLATE confidant_template' : ''}`);
  await admin.end();
  const url = base.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
  const db = createPool(url, 4);
  return {
    db,
    url,
    async drop() {
      await db.end();
      const a = createPool(base, 1);
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * Everything of the current schema that migrations make, as sorted lines: columns (type, null, default), constraints,
 * indexes, functions (whole definition), triggers, and the migrations recorded. Two databases with the same lines
 * have the same schema.
 */
export async function schemaPicture(db: Queryable): Promise<string[]> {
  const parts = await Promise.all([
    db.query(`SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END AS line
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped`),
    db.query(`SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
      FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`),
    db.query(`SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = current_schema()`),
    db.query(`SELECT 'function ' || pg_get_functiondef(p.oid) AS line FROM pg_proc p
      WHERE p.pronamespace = current_schema()::regnamespace`),
    db.query(`SELECT 'trigger ' || pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal`),
    db.query(`SELECT 'migration ' || version || ' ' || name || ' ' || checksum AS line FROM schema_migrations`),
  ]);
  return parts.flatMap((p) => p.rows.map((r) => r.line as string)).sort();
}
