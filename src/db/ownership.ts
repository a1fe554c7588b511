/**
 * Which room owns which table, read from the migrations: a table belongs to the room whose `migrations/` folder
 * creates it (a later migration of another room may take it over with a line `-- takes over table: <name>`, after
 * its owner agreed). A room writes only its own tables; `writesIn` finds the writes in a text of SQL.
 */
import { listMigrations, type Migration } from './migrate.js';

export const roomOf = (m: Migration) => m.name.split('/')[0];

/** table -> room, from today's migrations. */
export function tableOwners(migrations = listMigrations()): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of migrations) {
    const sql = stripComments(m.sql, true);
    for (const x of sql.matchAll(/\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?/gi)) {
      if (!owners.has(x[1])) owners.set(x[1], roomOf(m));
    }
    for (const x of m.sql.matchAll(/^--\s*takes over table:\s*(\w+)/gim)) owners.set(x[1], roomOf(m));
  }
  return owners;
}

export interface Write {
  table: string;
  /** The statement's first words, for messages. */
  what: string;
  /** For CREATE TRIGGER and DROP TRIGGER: the trigger's name. */
  trigger?: string;
}

const WRITES: Array<[RegExp, string]> = [
  [/\bINSERT\s+INTO\s+"?(\w+)"?/g, 'INSERT INTO'],
  [/\bUPDATE\s+(?:ONLY\s+)?"?(\w+)"?(?:\s+(?:AS\s+)?\w+)?\s+SET\b/g, 'UPDATE'],
  [/\bDELETE\s+FROM\s+(?:ONLY\s+)?"?(\w+)"?/g, 'DELETE FROM'],
  [/\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?"?(\w+)"?/g, 'TRUNCATE'],
  [/\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"?(\w+)"?/g, 'ALTER TABLE'],
  [/\bCOPY\s+"?(\w+)"?\s*(?:\([^)]*\))?\s*FROM\b/g, 'COPY'],
  [
    /\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\s+)?ON\s+(?:ONLY\s+)?"?(\w+)"?/g,
    'CREATE INDEX',
  ],
];
const DROP_TRIGGER = /\bDROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(\w+)\s+ON\s+"?(\w+)"?/g;
const TRIGGER = /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(\w+)\s+[\s\S]*?\bON\s+"?(\w+)"?/g;

/** SQL comments out (`--` to the end of the line; with `blockToo`, also `/* *\/`), so prose does not count. */
function stripComments(text: string, blockToo = false): string {
  const noLine = text.replace(/--[^\n]*/g, '');
  return blockToo ? noLine.replace(/\/\*[\s\S]*?\*\//g, '') : noLine;
}

/**
 * The writes in a text of SQL (a migration, or a TypeScript file whose SQL sits in strings). Keywords are matched in
 * capitals only, as the house writes SQL, so English prose in a TypeScript comment ("update the order") is not one.
 */
export function writesIn(text: string, opts: { sql: boolean }): Write[] {
  const body = opts.sql ? stripComments(text) : text.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
  const found: Array<Write & { at: number }> = [];
  for (const [re, what] of WRITES) for (const x of body.matchAll(re)) found.push({ table: x[1], what, at: x.index });
  for (const x of body.matchAll(DROP_TRIGGER))
    found.push({ table: x[2], what: 'DROP TRIGGER', trigger: x[1], at: x.index });
  for (const x of body.matchAll(TRIGGER))
    found.push({ table: x[2], what: 'CREATE TRIGGER', trigger: x[1], at: x.index });
  // In the order they are written, so a trigger dropped and declared again is seen in that order.
  return found.sort((a, b) => a.at - b.at).map(({ at: _, ...w }) => w);
}
