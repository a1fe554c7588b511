/**
 * A person's newest orders and events at a brand: what happened since the model was trained counts at once. Serving
 * keeps them in memory per process. Changes reach it by notification (046_activity_changes): every statement that
 * writes orders, order lines or events names the people it touched. A brand read's audit write sends a fence on the
 * process's own channel; notifications arrive in commit order, so once the fence is back, everything committed before
 * the read has been told, and what is kept is as new as a fresh read.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectionStringOf, type Db, type Queryable } from '../db/pool.js';

/** Events that say "not this" (a dismissed suggestion, an item taken out of the cart): not pushed again for a while. */
const REJECT_EVENTS = ['Product Dismissed', 'Recommendation Dismissed', 'Product Removed'];
const CART_EVENTS = ['Product Added', 'Product Removed'];
const VIEW_EVENTS = ['Product Viewed', 'Product Clicked'];
const DAY = 86_400_000;
const REJECT_DAYS = 30;
const SESSION_MS = 2 * 3600_000;
const CART_DAYS = 7;

export interface Activity {
  /** Newest first. */
  orders: Array<{ orderId: string; at: number; items: string[] }>;
  viewed: string[];
  cart: string[];
  rejected: Set<string>;
}

/** What is read (and kept): orders newest first, events oldest first, times in epoch ms. */
interface ActivityRows {
  orders: Activity['orders'];
  events: Array<{ kind: string; id: string; at: number }>;
}

const CHANNEL = 'confidant_activity';
const KEEP_PEOPLE = 50_000;
const FENCE_GIVE_UP_MS = 1000;

class ActivityFeed {
  /** Also names this process's fence channel (lower-case hex). */
  readonly id = randomUUID().replaceAll('-', '').slice(0, 12);
  /** Number of the last notification received; a read started at n is kept only if nothing about it came after n. */
  seq = 0;
  private flushedAt = 0;
  private told = new Map<string, number>();
  private kept = new Map<string, Map<number, ActivityRows>>();
  private fences = new Map<
    string,
    {
      arrived: Promise<boolean>;
      resolve: (ok: boolean) => void;
      since: number;
      awaitedAt: number | null;
      back: boolean;
    }
  >();
  private fenceNo = 0;
  private current: string | undefined;
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  /** Drops the current connection and connects again (set while one is open). */
  private drop: (() => void) | undefined;
  private sweeper: NodeJS.Timeout;

  constructor(private readonly db: Db) {
    this.sweeper = setInterval(() => this.giveUpFences(Date.now() - FENCE_GIVE_UP_MS), FENCE_GIVE_UP_MS).unref();
    void this.connect();
  }

  private async connect() {
    if (this.closed) return;
    // Keep-alive probes notice a connection that died without a word.
    const client = new pg.Client({
      connectionString: connectionStringOf(this.db),
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.drop = undefined;
      this.forget();
      // end() waits for a goodbye a dead peer never sends: the socket goes at once.
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      if (!this.closed) this.retry = setTimeout(() => void this.connect(), 1000).unref();
    };
    this.drop = lost;
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) =>
      n.channel === CHANNEL ? this.changed(n.payload ?? '') : this.fenced(n.payload ?? ''),
    );
    try {
      await client.connect();
      // The fences of this process come on a channel of its own; notifications of all channels arrive in commit order.
      await client.query(`LISTEN ${CHANNEL}; LISTEN ${CHANNEL}_${this.id}`);
      if (this.client !== client) return;
      // A read that began before LISTEN may have missed a change nobody was told of: none of those is kept.
      this.flushedAt = ++this.seq;
      this.listening = true;
    } catch {
      lost();
    }
  }

  /** Nothing is known any more: a notification may have been missed. */
  private forget() {
    this.listening = false;
    this.flush(++this.seq);
    this.giveUpFences(Infinity);
  }

  /** Nothing kept counts any more, nor any read begun before notification `seq`. */
  private flush(seq: number) {
    this.flushedAt = seq;
    this.kept.clear();
    this.told.clear();
  }

  /**
   * Fences that did not come back: their reads are served fresh. A listener that let a fence go unanswered for a
   * second after someone began to wait for it is replaced (a connection can die without a word).
   */
  private giveUpFences(before: number) {
    let late = false;
    for (const [token, f] of this.fences) {
      if (!f.back && f.awaitedAt !== null && f.awaitedAt < before) late = true;
      if (f.since >= before) continue;
      this.fences.delete(token);
      f.resolve(false); // no effect if it came back
    }
    if (late && this.listening) this.drop?.();
  }

  private fenced(token: string) {
    const f = this.fences.get(token);
    if (!f) return;
    f.back = true;
    f.resolve(true);
  }

  private changed(payload: string) {
    const seq = ++this.seq;
    const people = payload.slice(2);
    if (people === '*' || this.told.size > 2 * KEEP_PEOPLE) return this.flush(seq);
    for (const p of people.split(',')) {
      this.told.set(p, seq);
      this.kept.delete(p);
    }
  }

  /**
   * A fence for a read about to be audited: its token goes with the audit entry. Reads of one turn of the event loop
   * share one (its first commit comes after all of them started).
   */
  fence(): string | undefined {
    if (!this.listening) return undefined;
    if (!this.current) {
      const token = `${this.id}:${++this.fenceNo}`;
      let resolve!: (ok: boolean) => void;
      const arrived = new Promise<boolean>((r) => (resolve = r));
      this.fences.set(token, { arrived, resolve, since: Date.now(), awaitedAt: null, back: false });
      this.current = token;
      setImmediate(() => (this.current = undefined));
    }
    return this.current;
  }

  /** Whether the fence came back (false if it was given up). */
  arrival(token: string): Promise<boolean> {
    const f = this.fences.get(token);
    if (!f) return Promise.resolve(false);
    f.awaitedAt ??= Date.now();
    return f.arrived;
  }

  get(personId: string, brandId: number): ActivityRows | undefined {
    return this.listening ? this.kept.get(personId)?.get(brandId) : undefined;
  }

  keep(personId: string, brandId: number, readFrom: number, rows: ActivityRows) {
    if (!this.listening || this.flushedAt > readFrom || (this.told.get(personId) ?? 0) > readFrom) return;
    if (this.kept.size >= KEEP_PEOPLE) this.kept.clear();
    let byBrand = this.kept.get(personId);
    if (!byBrand) this.kept.set(personId, (byBrand = new Map()));
    byBrand.set(brandId, rows);
  }

  async close() {
    this.closed = true;
    clearInterval(this.sweeper);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.forget();
    await client?.end().catch(() => {});
  }
}

const feeds = new WeakMap<Db, ActivityFeed>();

/** Starts the process's feed (src/server/background.ts). */
export function startActivityFeed(db: Db) {
  if (!feeds.has(db)) feeds.set(db, new ActivityFeed(db));
}

/** A fence for a brand read about to be audited (none while the feed is not started or down). */
export function activityFence(db: Db): string | undefined {
  return feeds.get(db)?.fence();
}

export async function closeActivityFeed(db: Db) {
  await feeds.get(db)?.close();
  feeds.delete(db);
}

async function readActivity(db: Queryable, personId: string, brandId: number, now: Date): Promise<ActivityRows> {
  // A named statement (planned once per connection): planning this union cost more than running it.
  const r = await db.query({
    name: 'recommend.activity_of',
    // A row per order with its products, and times as epoch milliseconds: parsing rows and dates cost more than the query.
    text: `WITH o AS (SELECT order_id, placed_at FROM orders WHERE person_id = $1 AND brand_id = $2 AND status <> 'cancelled' ORDER BY placed_at DESC LIMIT 10)
     SELECT 'order' AS kind, array_agg(oi.product_id ORDER BY oi.line_no) AS ids, (extract(epoch FROM o.placed_at) * 1000)::float8 AS at, o.order_id
       FROM o JOIN order_items oi ON oi.person_id = $1 AND oi.brand_id = $2 AND oi.order_id = o.order_id AND oi.status = 'ok'
      GROUP BY o.order_id, o.placed_at
     UNION ALL
     (SELECT event, ARRAY[product_id], (extract(epoch FROM occurred_at) * 1000)::float8, NULL FROM events
       WHERE person_id = $1 AND brand_id = $2 AND product_id IS NOT NULL AND occurred_at > $3 AND event = ANY($4) ORDER BY occurred_at DESC LIMIT 200)`,
    values: [
      personId,
      brandId,
      new Date(now.getTime() - REJECT_DAYS * DAY),
      [...REJECT_EVENTS, ...CART_EVENTS, ...VIEW_EVENTS],
    ],
  });
  const rows: ActivityRows = { orders: [], events: [] };
  for (const row of r.rows as Array<{ kind: string; ids: string[]; at: number; order_id: string | null }>) {
    if (row.kind === 'order') rows.orders.push({ orderId: row.order_id!, at: row.at, items: row.ids });
    else rows.events.push({ kind: row.kind, id: row.ids[0], at: row.at });
  }
  rows.orders.sort((a, b) => b.at - a.at);
  rows.events.sort((a, b) => a.at - b.at);
  return rows;
}

/**
 * The person's activity at the brand. With the fence of a read (`fence`, sent with its audit entry), what the process
 * keeps is used once the fence is back; otherwise, or if nothing is kept, it is read.
 */
export async function activityOf(
  db: Queryable,
  personId: string,
  brandId: number,
  now: Date,
  fence?: string,
): Promise<Activity> {
  const feed = db instanceof pg.Pool ? feeds.get(db) : undefined;
  let rows = feed && fence && (await feed.arrival(fence)) ? feed.get(personId, brandId) : undefined;
  if (!rows) {
    const readFrom = feed?.seq ?? 0;
    rows = await readActivity(db, personId, brandId, now);
    feed?.keep(personId, brandId, readFrom, rows);
  }
  const lastOrderAt = rows.orders[0]?.at ?? -Infinity;
  const t = now.getTime();
  const cart = new Set<string>();
  const rejected = new Set<string>();
  const viewed: string[] = [];
  for (const e of rows.events) {
    if (e.at <= t - REJECT_DAYS * DAY) continue; // kept from an earlier read
    if (e.kind === 'Product Added' && e.at > lastOrderAt && e.at > t - CART_DAYS * DAY) cart.add(e.id);
    if (e.kind === 'Product Removed') cart.delete(e.id);
    if (REJECT_EVENTS.includes(e.kind)) rejected.add(e.id);
    else if (e.kind === 'Product Added') rejected.delete(e.id); // taken back: no longer rejected
    if (VIEW_EVENTS.includes(e.kind) && e.at > t - SESSION_MS && !viewed.includes(e.id)) viewed.push(e.id);
  }
  for (const o of rows.orders) for (const id of o.items) rejected.delete(id);
  return { orders: rows.orders, viewed, cart: [...cart], rejected };
}
