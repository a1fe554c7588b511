/**
 * Everything held about a person as one JSON document (schema: export-schema.ts), streamed. It is read in one
 * read-only REPEATABLE READ transaction (one consistent snapshot) through cursors, a page of rows at a time, and
 * PostgreSQL writes each row's JSON, so a long history never sits in memory whole.
 */
import type { AppContext } from '../context.js';
import type { Tx } from '../db/pool.js';
import {
  type ExportSection,
  genericExportSql,
  type PersonDataRegistry,
  personTables,
  REGISTRY,
} from '../person-data.js';
import { describeFact } from '../profile/index.js';
import { exportSchemaUrl } from './export-schema.js';

const PAGE = 500;

/**
 * The sections this file writes with its own SQL, and the tables each reads. Every other table holding a person's data
 * is exported as its room declared in the registry (src/person-data.ts): as stored, under `conversations`, `messages`
 * or `other_records`. The registry's test checks the two agree.
 */
export const SECTIONS_WRITTEN_HERE: Record<string, string[]> = {
  person: ['persons'],
  facts: ['facts'],
  links: ['brand_customers'],
  pseudonyms: ['pseudonyms'],
  grants: ['grants'],
  orders: ['orders', 'order_items', 'shipments', 'returns'],
  events: ['events'],
  audit_log: ['audit_log'],
  sessions: ['sessions'],
};

/** The tables declared for a generic section, by name. */
const declaredFor = (registry: PersonDataRegistry, section: ExportSection) =>
  personTables(registry)
    .filter((t) => t.export === section)
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));

const ORDER_ROWS = `SELECT b.slug AS brand, o.order_id, o.status, o.placed_at, o.total, o.currency, o.payment_method, o.payment_status,
    o.delivery_option, o.shipping_address,
    COALESCE((SELECT json_agg(json_build_object('line_no', i.line_no, 'product_id', i.product_id, 'name', i.name, 'quantity', i.quantity,
       'unit_price', i.unit_price, 'status', i.status) ORDER BY i.line_no) FROM order_items i
       WHERE i.person_id = o.person_id AND i.brand_id = o.brand_id AND i.order_id = o.order_id), '[]') AS items,
    COALESCE((SELECT json_agg(json_build_object('shipment_id', s.shipment_id, 'carrier', s.carrier, 'service', s.service,
       'tracking_number', s.tracking_number, 'tracking_url', s.tracking_url, 'status', s.status, 'shipped_at', s.shipped_at,
       'window_start', s.window_start, 'window_end', s.window_end, 'delivered_at', s.delivered_at) ORDER BY s.shipment_id) FROM shipments s
       WHERE s.person_id = o.person_id AND s.brand_id = o.brand_id AND s.order_id = o.order_id), '[]') AS shipments,
    COALESCE((SELECT json_agg(json_build_object('return_id', r.return_id, 'line_nos', r.line_nos, 'reason', r.reason, 'status', r.status,
       'refund_amount', r.refund_amount, 'refund_status', r.refund_status, 'created_at', r.created_at, 'refunded_at', r.refunded_at) ORDER BY r.return_id)
       FROM returns r WHERE r.person_id = o.person_id AND r.brand_id = o.brand_id AND r.order_id = o.order_id), '[]') AS returns
  FROM orders o JOIN brands b ON b.id = o.brand_id WHERE o.person_id = $1 ORDER BY o.placed_at, b.slug, o.order_id`;

let cursorSeq = 0;

/** Rows of a query as JSON text, a page at a time. */
async function* rowsOf(tx: Tx, sql: string, params: unknown[]): AsyncGenerator<string[]> {
  const name = `export_${++cursorSeq}`;
  await tx.query(`DECLARE ${name} NO SCROLL CURSOR FOR SELECT row_to_json(x)::text AS j FROM (${sql}) x`, params);
  try {
    for (;;) {
      const page = await tx.query(`FETCH ${PAGE} FROM ${name}`);
      if (page.rowCount) yield page.rows.map((r) => r.j as string);
      if ((page.rowCount ?? 0) < PAGE) break;
    }
  } finally {
    await tx.query(`CLOSE ${name}`);
  }
}

/** A JSON array, streamed: `"name":[row,row,...]`. */
async function* arrayOf(
  tx: Tx,
  name: string,
  sql: string,
  params: unknown[],
  map?: (row: string) => string,
): AsyncGenerator<string> {
  yield `,${JSON.stringify(name)}:[`;
  let first = true;
  for await (const page of rowsOf(tx, sql, params)) {
    yield (first ? '' : ',') + (map ? page.map(map) : page).join(',');
    first = false;
  }
  yield ']';
}

/** Generic rows come back as {"record": {...}}; the record is what goes in the document. */
const unwrap = (row: string) => JSON.stringify(JSON.parse(row).record);

/** The export document, in pieces. Call it after the person has been authenticated. */
export async function* exportDocument(ctx: AppContext, personId: string): AsyncGenerator<string> {
  const tx = await ctx.db.connect();
  let finished = false;
  try {
    await tx.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await tx.query(`SET LOCAL TimeZone = 'UTC'`);
    const person = await tx.query(
      'SELECT row_to_json(x)::text AS j FROM (SELECT id, email, display_name, time_zone, claimed, created_at FROM persons WHERE id = $1) x',
      [personId],
    );
    yield `{"$schema":${JSON.stringify(exportSchemaUrl(ctx.publicUrl))},"format":"confidant-export","version":1,"exported_at":${JSON.stringify(ctx.now().toISOString())},"person":${person.rows[0]?.j ?? 'null'}`;

    yield* arrayOf(
      tx,
      'facts',
      `SELECT f.fact_id AS id, f.about, f.kind, f.value, '' AS text, f.polarity, f.source, b.slug AS source_brand, f.confidence, f.sensitivity, f.scope,
         f.stated_at, f.updated_at, f.retired_uses FROM facts f LEFT JOIN brands b ON b.id = f.source_brand_id WHERE f.person_id = $1 ORDER BY f.about, f.kind, f.stated_at`,
      [personId],
      (row) => {
        const f = JSON.parse(row);
        f.text = describeFact(f);
        return JSON.stringify(f);
      },
    );
    yield* arrayOf(
      tx,
      'links',
      `SELECT b.slug AS brand, b.name AS brand_name, bc.external_id AS customer_id, bc.traits, bc.confirmed_at AS linked_at, bc.created_at
       FROM brand_customers bc JOIN brands b ON b.id = bc.brand_id WHERE bc.person_id = $1 ORDER BY b.slug, bc.external_id`,
      [personId],
    );
    yield* arrayOf(
      tx,
      'pseudonyms',
      'SELECT b.slug AS brand, p.pid FROM pseudonyms p JOIN brands b ON b.id = p.brand_id WHERE p.person_id = $1 ORDER BY b.slug',
      [personId],
    );
    yield* arrayOf(
      tx,
      'grants',
      `SELECT b.slug AS brand, g.scope, g.purpose, g.granted_at, g.how, g.explicit, g.expires_at, g.revoked_at
       FROM grants g JOIN brands b ON b.id = g.brand_id WHERE g.person_id = $1 ORDER BY b.slug, g.scope, g.purpose`,
      [personId],
    );
    yield* arrayOf(tx, 'orders', ORDER_ROWS, [personId]);
    yield* arrayOf(
      tx,
      'events',
      `SELECT b.slug AS brand, e.message_id, e.type, e.event, e.product_id, e.properties, e.context, e.occurred_at, e.received_at
       FROM events e JOIN brands b ON b.id = e.brand_id WHERE e.person_id = $1 ORDER BY e.occurred_at, e.message_id`,
      [personId],
    );

    // Other rooms' tables, as their rooms declared them (src/person-data.ts).
    const registry = ctx.registry ?? REGISTRY;
    for (const [section, tag] of [
      ['conversations', false],
      ['messages', true],
    ] as const) {
      yield `,"${section}":[`;
      let first = true;
      for (const t of declaredFor(registry, section)) {
        for await (const page of rowsOf(tx, genericExportSql(t, tag), [personId])) {
          yield (first ? '' : ',') + page.map(unwrap).join(',');
          first = false;
        }
      }
      yield ']';
    }

    yield* arrayOf(
      tx,
      'audit_log',
      `SELECT a.entry_id AS id, a.at, b.slug AS brand, a.action, a.purpose, a.scopes, a.fact_ids, a.call
       FROM audit_log a JOIN brands b ON b.id = a.brand_id WHERE a.person_id = $1 ORDER BY a.at DESC, a.entry_id DESC`,
      [personId],
    );
    yield* arrayOf(
      tx,
      'sessions',
      'SELECT label, created_at, expires_at, revoked_at FROM sessions WHERE person_id = $1 ORDER BY created_at',
      [personId],
    );

    yield ',"other_records":{';
    let firstTable = true;
    for (const t of declaredFor(registry, 'other_records')) {
      yield `${firstTable ? '' : ','}${JSON.stringify(t.table)}:[`;
      firstTable = false;
      let firstPage = true;
      for await (const page of rowsOf(tx, genericExportSql(t, false), [personId])) {
        yield (firstPage ? '' : ',') + page.map(unwrap).join(',');
        firstPage = false;
      }
      yield ']';
    }
    yield '}}\n';
    await tx.query('COMMIT');
    finished = true;
  } finally {
    // Also reached when the client goes away mid-stream: the snapshot is let go and the connection returned.
    if (!finished) await tx.query('ROLLBACK').catch(() => {});
    tx.release();
  }
}
