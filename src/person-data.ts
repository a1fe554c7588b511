/**
 * The registry of tables: each room declares once, in `src/<room>/tables.ts`, every table it owns, how it is placed
 * on a Citus cluster, and, for a table holding a person's data, how it is exported, erased and moved when a brand's
 * customer is linked to a person. The export (gatekeeper/export.ts), the erasure (gatekeeper/erase.ts) and the link
 * merge (people/links.ts) read this registry and nothing else; `src/person-data.test.ts` fails when a table of the
 * schema is not declared, saying what to add where.
 *
 * A new room: write `src/<room>/tables.ts` exporting `tables: RoomTables` and add it to ROOMS below.
 */
import type { Tx } from './db/pool.js';
import { tables as brands } from './brands/tables.js';
import { tables as campaigns } from './campaigns/tables.js';
import { tables as catalog } from './catalog/tables.js';
import { tables as conversation } from './conversation/tables.js';
import { tables as gatekeeper } from './gatekeeper/tables.js';
import { tables as ingest } from './ingest/tables.js';
import { tables as messaging } from './messaging/tables.js';
import { tables as orders } from './orders/tables.js';
import { tables as people } from './people/tables.js';
import { tables as profile } from './profile/tables.js';
import { tables as recommend } from './recommend/tables.js';
import { tables as trust } from './trust/tables.js';
import { tables as web } from './web/tables.js';

/**
 * Where a table's rows live on a Citus cluster (`npx confidant distribution` prints the statements):
 * - `by person`: distributed by its person column, co-located with every other person table;
 * - `by brand`: distributed by `brand_id` in a group of its own (a key that is unique per brand, not per person);
 * - `reference`: copied to every node (small, read with everything: brands, catalogs);
 * - `coordinator`: kept on the coordinator only (bookkeeping of the server itself).
 * Every choice other than `by person` says why.
 */
export type Placement = 'by person' | { byBrand: string } | { reference: string } | { coordinator: string };

/**
 * A rule of Citus a table cannot keep as the schema is, and what is done on Citus instead (the distribution
 * statements make the change): `plain index`, a unique index made plain because its key is unique by construction
 * (a random or keyed-hash value); `drop key`, a foreign key that cannot hold across placements, whose work the
 * erasure and the merge do themselves.
 */
export interface CitusException {
  /** The unique index or foreign key. */
  name: string;
  instead: 'plain index' | 'drop key';
  why: string;
}

/** Sections of the export document (gatekeeper/export.ts). */
export type ExportSection =
  /** Written by the export's own SQL; the registry test checks each is declared by the table the export reads. */
  | 'person'
  | 'facts'
  | 'links'
  | 'pseudonyms'
  | 'grants'
  | 'orders'
  | 'events'
  | 'audit_log'
  | 'sessions'
  /** Rows as stored (minus the person column and `omit`), ordered by `orderBy`. */
  | 'conversations'
  /** Messages sent to the person (outbox, deliveries): rows as stored, each tagged with its table. */
  | 'messages'
  /** Everything else: rows as stored under `other_records.<table>`. */
  | 'other_records';

/**
 * When an erasure deletes a table's rows, in this order (each stage is a transaction of its own):
 * - `access`: with the first commit, which cuts every access (sessions, grants, pids);
 * - `brand data`: what brands sent about the person;
 * - `profile`: facts and the audit log;
 * - `other rooms`: everything else;
 * - `the person`: the person's own row (with the rows declared `lateRows`, deleted again after it);
 * - `log`: last, uncounted (the change log the deletes above wrote to).
 * Within a stage, tables are deleted in the order they are declared here (children before parents).
 */
export type EraseStage = 'access' | 'brand data' | 'profile' | 'other rooms' | 'the person' | 'log';
export const ERASE_STAGES: EraseStage[] = ['access', 'brand data', 'profile', 'other rooms', 'the person', 'log'];

/** A shadow person's rows of one brand moving to the person who confirmed the link. */
export interface MergeStep {
  from: string;
  to: string;
  brandId: number;
}
export type Mover = (tx: Tx, step: MergeStep) => Promise<number | null>;

export type Merge =
  /** `UPDATE ... SET person_id = to WHERE person_id = from AND brand_id = brandId` */
  | 'brand rows'
  /** The same without the brand (a table with no brand_id). */
  | 'all rows'
  /** Moves with its parent (ON UPDATE CASCADE); counted before the parent moves. */
  | { follows: string }
  /** The owner's own function (deduplication, precedence). */
  | { by: Mover }
  /** Nothing to move, and why (a shadow person never has any; the link itself moves it). */
  | { none: string };

export interface PersonTable {
  table: string;
  /** The column holding the person's id; `person_id` unless said. */
  personColumn?: string;
  placement: Placement;
  export: ExportSection | { none: string };
  erase: EraseStage | { keep: string };
  /**
   * Rows a transaction still in flight (an import, a tracking batch) may commit after the first delete, because the
   * table has no key to persons: deleted again once the person's row is gone (and moved again after a shadow goes).
   */
  lateRows?: boolean;
  merge: Merge;
  /** After the shadow person's row is gone: what is left of it (late rows, duplicates, its change log). */
  afterShadowGone?: Mover;
  /** Columns left out of a generic export row (credentials). */
  omit?: string[];
  /** Column generic export rows are ordered by. */
  orderBy?: string;
  citus?: CitusException[];
}

/** A table holding no person's data (no person column): only how it is placed. */
export interface OtherTable {
  table: string;
  placement: Placement;
  citus?: CitusException[];
}

export interface RoomTables {
  room: string;
  person: PersonTable[];
  other: OtherTable[];
}

/** Every room with tables, in the order their person tables are erased and moved within a stage. */
export const ROOMS: RoomTables[] = [
  conversation,
  messaging,
  trust,
  orders,
  ingest,
  people,
  profile,
  gatekeeper,
  recommend,
  catalog,
  brands,
  web,
  campaigns,
];

/** The registry a process uses: the rooms above, or (tests) more. */
export interface PersonDataRegistry {
  rooms: RoomTables[];
}
export const REGISTRY: PersonDataRegistry = { rooms: ROOMS };

export const personTables = (r: PersonDataRegistry = REGISTRY) => r.rooms.flatMap((x) => x.person);
export const allTables = (r: PersonDataRegistry = REGISTRY) =>
  r.rooms.flatMap((x) => [
    ...x.person.map((t) => ({ room: x.room, ...t })),
    ...x.other.map((t) => ({ room: x.room, ...t })),
  ]);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const personColumnOf = (t: PersonTable) => t.personColumn ?? 'person_id';

/** Deletes the person's rows of a table; the number deleted. */
export async function deleteRows(tx: Tx, t: PersonTable, personId: string): Promise<number> {
  return (
    (await tx.query(`DELETE FROM ${quote(t.table)} WHERE ${quote(personColumnOf(t))} = $1`, [personId])).rowCount ?? 0
  );
}

/** Runs a table's declared merge; the rows moved (null: none). */
export async function mergeRows(tx: Tx, t: PersonTable, step: MergeStep): Promise<number | null> {
  const m = t.merge;
  if (m === 'brand rows' || m === 'all rows') {
    const col = quote(personColumnOf(t));
    const byBrand = m === 'brand rows';
    return (
      await tx.query(
        `UPDATE ${quote(t.table)} SET ${col} = $2 WHERE ${col} = $1${byBrand ? ' AND brand_id = $3' : ''}`,
        byBrand ? [step.from, step.to, step.brandId] : [step.from, step.to],
      )
    ).rowCount;
  }
  if ('by' in m) return m.by(tx, step);
  return null;
}

/** Rows of a table that move with their parent: counted before the parent moves. */
export async function countFollowing(tx: Tx, t: PersonTable, step: MergeStep): Promise<number> {
  const r = await tx.query(
    `SELECT count(*)::int AS n FROM ${quote(t.table)} WHERE ${quote(personColumnOf(t))} = $1 AND brand_id = $2`,
    [step.from, step.brandId],
  );
  return r.rows[0].n;
}

/** A generic export row: the stored record minus the person column and `omit`, in `orderBy` order. */
export function genericExportSql(t: PersonTable, tag: boolean): string {
  const drop = [personColumnOf(t), ...(t.omit ?? [])].map((c) => ` - '${c.replace(/'/g, "''")}'`).join('');
  return `SELECT ${tag ? `jsonb_build_object('table', '${t.table}') || ` : ''}(to_jsonb(r)${drop}) AS record
   FROM ${quote(t.table)} r WHERE r.${quote(personColumnOf(t))} = $1 ${t.orderBy ? `ORDER BY r.${quote(t.orderBy)}` : ''}`;
}
