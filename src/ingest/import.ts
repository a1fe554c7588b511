import fs from 'node:fs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { inTransaction } from '../db/pool.js';
import { AppError } from '../errors.js';
import { checkValue, toIsoTime } from '../validation.js';
import { ProductInput, upsertProducts } from '../catalog/catalog.js';
import {
  CustomerInput,
  OrderInput,
  ShipmentInput,
  type Written,
  upsertCustomers,
  upsertOrders,
  upsertShipments,
} from '../orders/orders.js';
import { type SegmentMessage, checkMessage, storeMessages } from './segment.js';
import { observeHabits } from '../profile/observe.js';
import { csvRecords, lineBatches } from './csv.js';
import { parseJsonBody } from '../server/body.js';

export const IMPORT_KINDS = ['catalog', 'customers', 'orders', 'shipments', 'events'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportResult {
  kind: ImportKind;
  lines: number;
  stored: number;
  skipped: number;
  alreadyImported: boolean;
  seconds: number;
}

/** Bytes of the file read so far, of all. */
export type ImportProgress = (done: number, total: number) => void;

type Row = Record<string, unknown>;

/** Column names brands already use (Online Retail / Shopify-like exports) mapped to ours. */
const ALIASES: Record<string, string> = {
  invoiceno: 'order_id',
  orderid: 'order_id',
  order_id: 'order_id',
  customerid: 'customer_id',
  customer_id: 'customer_id',
  userid: 'customer_id',
  stockcode: 'product_id',
  product_id: 'product_id',
  sku: 'product_id',
  description: 'description',
  product_name: 'product_name',
  quantity: 'quantity',
  qty: 'quantity',
  unitprice: 'unit_price',
  unit_price: 'unit_price',
  invoicedate: 'placed_at',
  placed_at: 'placed_at',
  order_date: 'placed_at',
  country: 'country',
};
const canonicalNames = new Map<string, string>();
const canonical = (k: string) => {
  let name = canonicalNames.get(k);
  if (name === undefined) {
    name = ALIASES[k.toLowerCase().replace(/[\s-]/g, '')] ?? ALIASES[k.toLowerCase()] ?? k.toLowerCase();
    if (canonicalNames.size < 10_000) canonicalNames.set(k, name);
  }
  return name;
};

/** CustomerID exported from spreadsheets comes as `17850.0`. */
const customerId = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim().replace(/\.0+$/, ''));
const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);
const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/[|;]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;
const bool = (v: unknown) => (typeof v === 'string' ? /^(true|yes|1|y)$/i.test(v.trim()) : v);
const json = (v: unknown, where: string) => {
  if (typeof v !== 'string') return v;
  if (!v.trim()) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new AppError('validation_failed', 'is not valid JSON', where);
  }
};
const drop = (r: Row) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== ''));

function productFrom(r: Row, where: string): ProductInput {
  const fromCsv = typeof r.price === 'string' || typeof r.unit_price === 'string' || typeof r.categories === 'string';
  const attributes = json(r.attributes, `${where}/attributes`) as Row | undefined;
  const extra = fromCsv
    ? drop({
        ingredients: list(r.ingredients),
        diet_labels: list(r.diet_labels),
        allergens: list(r.allergens),
        brand: r.brand,
      })
    : {};
  return drop({
    id: r.id ?? r.product_id,
    name: r.name ?? r.product_name ?? r.description,
    description: r.name || r.product_name ? r.description : undefined,
    price: num(r.price ?? r.unit_price),
    currency: r.currency,
    categories: list(r.categories),
    attributes: Object.keys(extra).length ? { ...(attributes ?? {}), ...extra } : attributes,
    complements: list(r.complements),
    in_stock: bool(r.in_stock),
  }) as ProductInput;
}

interface Collected {
  rows: unknown[];
  skipped: number;
  /** Line number of each row, for errors raised when storing. */
  lineOf: number[];
}

/** Turns one parsed line into a row of the kind and returns its key (product, customer, order...), or throws with the line and field. */
function collect(
  kind: ImportKind,
  c: Collected,
  orders: Map<string, OrderInput & { line: number }>,
  raw: Row,
  line: number,
  defaults: { currency?: string },
): string | undefined {
  const where = `line ${line}`;
  const r: Row = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' && v.includes('\u0000'))
      throw new AppError('validation_failed', 'a value may not contain a NUL character', `${where}: ${k}`);
    r[canonical(k)] = typeof v === 'string' ? v.trim() : v;
  }
  const push = <S extends TSchema>(schema: S, value: unknown) => {
    const row = checkValue(schema, value, `${where}: `);
    c.rows.push(row);
    c.lineOf.push(line);
    return row;
  };
  switch (kind) {
    case 'catalog':
      return push(ProductInput, productFrom({ currency: defaults.currency, ...r }, where)).id;
    case 'customers': {
      const id = customerId(r.customer_id);
      if (!id) return void c.skipped++;
      const traits = drop({ ...((json(r.traits, `${where}/traits`) as Row) ?? {}), country: r.country });
      return push(
        CustomerInput,
        drop({
          customer_id: id,
          email: r.email,
          name: r.name,
          traits: Object.keys(traits).length ? traits : undefined,
        }),
      ).customer_id;
    }
    case 'orders': {
      if (Array.isArray(r.items)) {
        const o = checkValue(OrderInput, { ...r, customer_id: customerId(r.customer_id) }, `${where}: `);
        orders.set(o.order_id, { ...o, line });
        return o.order_id;
      }
      const id = customerId(r.customer_id);
      if (!id) return void c.skipped++; // guest checkout: no customer to keep it for
      const orderId = String(r.order_id ?? '');
      const placed = typeof r.placed_at === 'string' ? toIsoTime(r.placed_at) : r.placed_at;
      const item = checkValue(
        OrderInput.properties.items.items,
        drop({
          product_id: r.product_id === undefined ? undefined : String(r.product_id),
          name: r.product_name ?? r.description,
          quantity: num(r.quantity),
          unit_price: num(r.unit_price),
        }),
        `${where}: `,
      );
      const existing = orders.get(orderId);
      if (existing) {
        existing.items.push(item);
        return orderId;
      }
      const order = checkValue(
        OrderInput,
        drop({
          order_id: orderId,
          customer_id: id,
          placed_at: placed,
          currency: r.currency ?? defaults.currency,
          status: r.status ?? (orderId.startsWith('C') ? 'cancelled' : undefined),
          items: [item],
        }),
        `${where}: `,
      );
      orders.set(orderId, { ...order, line });
      return orderId;
    }
    case 'shipments':
      return push(
        ShipmentInput,
        drop(
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /_at$|^window_/.test(k) ? toIsoTime(v) : v]),
          ),
        ),
      ).shipment_id;
    case 'events': {
      const type = r.type;
      if (type !== 'identify' && type !== 'track' && type !== 'page')
        throw new AppError('validation_failed', 'type must be identify, track or page', `${where}: type`);
      c.rows.push(checkMessage(raw, type, `${where}: `, false));
      c.lineOf.push(line);
      return undefined;
    }
  }
}

/** Parsed lines with their line numbers, in batches. */
async function* records(file: string, format: 'csv' | 'jsonl', input: Readable): AsyncGenerator<Array<[Row, number]>> {
  if (format === 'csv') {
    yield* csvRecords(input, file);
    return;
  }
  let n = 0;
  for await (const batch of lineBatches(input)) {
    const out: Array<[Row, number]> = [];
    for (const text of batch) {
      n++;
      if (!text.trim()) continue;
      let value: unknown;
      try {
        value = parseJsonBody(text);
      } catch (e) {
        const path =
          e instanceof AppError && e.code === 'validation_failed' ? (e.path ?? '').replace(/^\/body/, '') : '';
        throw new AppError(
          'validation_failed',
          e instanceof AppError && path ? e.message : 'is not valid JSON',
          `line ${n}${path ? `: ${path}` : ''}`,
        );
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new AppError('validation_failed', 'each line must be a JSON object', `line ${n}`);
      out.push([value as Row, n]);
    }
    yield out;
  }
}

const CHUNK = 5000;

async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Imports one file of one kind for a brand, all or nothing: everything is written in one transaction,
 * and the first bad line rolls it all back. Writing overlaps with reading (one chunk in flight).
 * A file imported before (same bytes) stores nothing.
 */
export async function importFile(
  ctx: AppContext,
  brandId: number,
  kind: ImportKind,
  file: string,
  progress: ImportProgress = () => {},
  defaults: { currency?: string } = {},
): Promise<ImportResult> {
  const started = Date.now();
  if (!fs.existsSync(file)) throw new AppError('not_found', `no file at ${file}`);
  const size = fs.statSync(file).size;
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const format: 'csv' | 'jsonl' = /\.(jsonl|ndjson|json)$/i.test(file.replace(/\.gz$/i, '')) ? 'jsonl' : 'csv';

  const sha = await fileSha256(file);
  const done = await ctx.db.query('SELECT lines FROM imports WHERE brand_id = $1 AND kind = $2 AND sha256 = $3', [
    brandId,
    kind,
    sha,
  ]);
  if (done.rowCount)
    return {
      kind,
      lines: done.rows[0].lines,
      stored: 0,
      skipped: 0,
      alreadyImported: true,
      seconds: (Date.now() - started) / 1000,
    };

  return inTransaction(ctx.db, async (tx) => {
    const fileStream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    let read = 0;
    fileStream.on('data', (chunk) => progress((read += chunk.length), size));
    const input = gzip ? fileStream.pipe(zlib.createGunzip()) : fileStream;

    const c: Collected = { rows: [], skipped: 0, lineOf: [] };
    const orders = new Map<string, OrderInput & { line: number }>();
    const dirtyOrders = new Set<string>();
    const keys = new Set<string>();
    let stored = 0;
    const written: Written = { persons: new Map(), products: new Set() };
    let inFlight: Promise<void> = Promise.resolve();
    let sinceFlush = 0;

    const store = async (rows: unknown[], lineOf: number[]) => {
      switch (kind) {
        case 'catalog':
          await upsertProducts(
            tx,
            brandId,
            dedupeBy(rows as ProductInput[], (p) => p.id),
          );
          break;
        case 'customers':
          await upsertCustomers(
            tx,
            brandId,
            dedupeBy(rows as CustomerInput[], (p) => p.customer_id),
          );
          break;
        case 'orders':
          await upsertOrders(tx, brandId, rows as OrderInput[], {
            observe: false,
            written,
            where: (j) => `line ${lineOf[j]}`,
          });
          break;
        case 'shipments':
          await upsertShipments(
            tx,
            brandId,
            dedupeBy(rows as ShipmentInput[], (p) => p.shipment_id),
            (j) => `line ${lineOf[j]}`,
          );
          break;
        case 'events': {
          const r = await storeMessages(tx, brandId, rows as SegmentMessage[], ctx.now(), (j) => `line ${lineOf[j]}`);
          stored += r.received - r.duplicates;
          break;
        }
      }
    };
    // Hands the rows read so far to the database, waiting only for the previous chunk: reading goes on meanwhile.
    const flush = async () => {
      let rows: unknown[];
      let lineOf: number[];
      if (kind === 'orders') {
        // An order whose lines arrive after it was written is written again, whole (its items upsert by line).
        rows = [...dirtyOrders].map((id) => {
          const { line: _line, ...o } = orders.get(id)!;
          return o;
        });
        lineOf = [...dirtyOrders].map((id) => orders.get(id)!.line);
        dirtyOrders.clear();
      } else {
        rows = c.rows.splice(0);
        lineOf = c.lineOf.splice(0);
      }
      sinceFlush = 0;
      await inFlight;
      if (rows.length === 0) return;
      inFlight = store(rows, lineOf);
      inFlight.catch(() => {}); // awaited later; this only keeps an early failure from being reported as unhandled
    };

    let lines = 0;
    try {
      for await (const batch of records(file, format, input)) {
        for (const [row, line] of batch) {
          lines++;
          const key = collect(kind, c, orders, row, line, defaults);
          if (key !== undefined) {
            keys.add(key);
            if (kind === 'orders') dirtyOrders.add(key);
          }
        }
        if ((sinceFlush += batch.length) >= CHUNK) await flush();
      }
      await flush();
      await inFlight;
    } catch (err) {
      await inFlight.catch(() => {});
      throw err;
    }
    if (kind === 'orders') {
      // Counting every customer's orders per product sorts the whole history: in memory, not on disk.
      await tx.query(`SET LOCAL work_mem = '64MB'`);
      await observeHabits(tx, brandId);
    }
    if (kind !== 'events') stored = keys.size;
    await tx.query(
      'INSERT INTO imports (brand_id, kind, sha256, lines, stored) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [brandId, kind, sha, lines, stored],
    );
    return { kind, lines, stored, skipped: c.skipped, alreadyImported: false, seconds: (Date.now() - started) / 1000 };
  });
}

/** Within one statement PostgreSQL cannot update the same row twice: the last line for a key wins. */
function dedupeBy<T>(rows: T[], key: (r: T) => string): T[] {
  return [...new Map(rows.map((r) => [key(r), r])).values()];
}
