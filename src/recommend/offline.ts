// Online Retail loader and the `confidant recommend-offline` command (batch recommendations from files).
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Interaction, ProgressFn } from './model/types.js';
import { trainModel } from './model/train.js';
import { recommendFromModel } from './model/score.js';
import { splitCsvLine } from '../ingest/csv.js';

export interface OnlineRetailData {
  /** Purchases only: positive quantity, not cancelled, not a guest. One per invoice line. */
  interactions: Interaction[];
  /** StockCode -> description (first seen). */
  descriptions: Map<string, string>;
  stats: { lines: number; kept: number; cancelled: number; nonPositive: number; guest: number; malformed: number };
}

/** '17850.0' -> '17850'; trims whitespace. Empty string for a guest. */
export function normaliseCustomerId(raw: string): string {
  const s = raw.trim();
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** 'YYYY-MM-DD HH:MM[:SS]' (also 'T'-separated) read as UTC, so results do not depend on the machine's zone. */
export function parseInvoiceDate(s: string): number {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(s.trim());
  if (!m) {
    const t = Date.parse(s);
    return Number.isFinite(t) ? t : NaN;
  }
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
}

/** Open a file as a text stream, gunzipping when it starts with the gzip magic bytes (1f 8b). */
async function openText(file: string): Promise<Readable> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(2);
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(file);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  return raw;
}

/** Stream-parse the Online Retail CSV into purchase interactions. */
export async function loadOnlineRetail(file: string): Promise<OnlineRetailData> {
  const rl = createInterface({ input: await openText(file), crlfDelay: Infinity });
  const interactions: Interaction[] = [];
  const descriptions = new Map<string, string>();
  const stats = { lines: 0, kept: 0, cancelled: 0, nonPositive: 0, guest: 0, malformed: 0 };
  // Column positions come from the header, so column order does not matter.
  let col: Record<string, number> | null = null;
  // Intern strings: 400k lines share ~4k customers and items.
  const intern = new Map<string, string>();
  const internOf = (s: string) => {
    let v = intern.get(s);
    if (v === undefined) {
      v = s;
      intern.set(s, s);
    }
    return v;
  };
  for await (const rawLine of rl) {
    const line = rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
    if (line.length === 0) continue;
    if (col === null) {
      const names = splitCsvLine(line).map((s) => s.trim());
      col = {};
      for (const need of ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'CustomerID']) {
        const at = names.indexOf(need);
        if (at < 0) throw new Error(`${file}: missing column ${need}`);
        col[need] = at;
      }
      col.Description = names.indexOf('Description');
      continue;
    }
    stats.lines++;
    const f = splitCsvLine(line);
    const invoice = f[col.InvoiceNo]?.trim() ?? '';
    const item = f[col.StockCode]?.trim() ?? '';
    const qty = Number(f[col.Quantity]);
    const at = parseInvoiceDate(f[col.InvoiceDate] ?? '');
    const user = normaliseCustomerId(f[col.CustomerID] ?? '');
    if (!invoice || !item || !Number.isFinite(qty) || !Number.isFinite(at)) {
      stats.malformed++;
      continue;
    }
    if (invoice[0] === 'C' || invoice[0] === 'c') {
      stats.cancelled++;
      continue;
    }
    if (qty <= 0) {
      stats.nonPositive++;
      continue;
    }
    if (!user) {
      stats.guest++;
      continue;
    }
    const code = internOf(item);
    if (col.Description >= 0 && !descriptions.has(code)) descriptions.set(code, (f[col.Description] ?? '').trim());
    interactions.push({ user: internOf(user), item: code, weight: 1, at, kind: 'purchase', basket: invoice });
    stats.kept++;
  }
  return { interactions, descriptions, stats };
}

/** Read a users file: one CustomerID a line; blank lines and a header line are skipped, duplicates dropped. */
export async function loadUserIds(file: string): Promise<string[]> {
  const rl = createInterface({ input: await openText(file), crlfDelay: Infinity });
  const seen = new Set<string>();
  const out: string[] = [];
  let first = true;
  for await (const line of rl) {
    const id = normaliseCustomerId(
      line
        .replace(/^\ufeff/, '')
        .split(',')[0]
        .replace(/"/g, ''),
    );
    const isHeader = first && /^(customer_?id|user(_?id)?|id)$/i.test(id);
    first = false;
    if (!id || isHeader || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

export interface RecommendOfflineOptions {
  transactions: string;
  users: string;
  k: number;
  /** File path, or a writable stream; defaults to stdout. */
  output?: string | Writable;
  onProgress?: ProgressFn;
}

export interface RecommendOfflineResult {
  users: number;
  knownUsers: number;
  interactions: number;
  modelMemoryBytes: number;
  ms: { load: number; train: number; recommend: number; total: number };
}

/** Write respecting backpressure. */
function writeChunk(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = out.write(chunk, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else out.once('drain', resolve);
  });
}

/**
 * `confidant recommend-offline --transactions FILE --users FILE --k 50`: train the hybrid on the purchases of
 * the transactions file and write `{"user": "...", "items": [...]}` per listed user, best first. Buy-again is
 * included (mode 'all'): the lists predict what each customer buys next, repeats included.
 */
export async function runRecommendOffline(opts: RecommendOfflineOptions): Promise<RecommendOfflineResult> {
  const t0 = performance.now();
  const k = Math.floor(opts.k);
  if (!(k > 0)) throw new Error(`--k must be a positive integer (got ${opts.k})`);
  const data = await loadOnlineRetail(opts.transactions);
  const users = await loadUserIds(opts.users);
  const t1 = performance.now();
  const model = trainModel(data.interactions, { onProgress: opts.onProgress });
  data.interactions.length = 0; // free the raw events before serving
  const t2 = performance.now();

  const ownStream = typeof opts.output === 'string';
  const out: Writable =
    typeof opts.output === 'string' ? createWriteStream(opts.output) : (opts.output ?? process.stdout);
  let known = 0;
  let buf = '';
  for (let u = 0; u < users.length; u++) {
    const user = users[u];
    if (model.users.has(user)) known++;
    const recs = recommendFromModel(model, { user, k, mode: 'all' });
    buf += `${JSON.stringify({ user, items: recs.map((r) => r.item) })}\n`;
    if (buf.length > 1 << 16) {
      await writeChunk(out, buf);
      buf = '';
    }
    if (opts.onProgress && (u % 500 === 0 || u === users.length - 1)) opts.onProgress('recommend', u + 1, users.length);
  }
  if (buf) await writeChunk(out, buf);
  if (ownStream)
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const t3 = performance.now();
  return {
    users: users.length,
    knownUsers: known,
    interactions: data.stats.kept,
    modelMemoryBytes: model.memoryBytes,
    ms: { load: t1 - t0, train: t2 - t1, recommend: t3 - t2, total: t3 - t0 },
  };
}
