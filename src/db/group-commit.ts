/**
 * Group commit in the application. Many small writes that arrive together (a tracking call, the audit entry of a
 * brand read) share one transaction, so one WAL flush, instead of paying one each. Every caller's promise settles
 * only when its own rows are committed, so a 2xx still means committed. If the shared transaction fails, each item
 * is retried in a transaction of its own: one bad item fails only its own caller.
 */
import { type Db, type Queryable, type Tx, inTransaction } from './pool.js';

export interface GroupCommitOptions {
  /** Items per transaction (500). */
  maxBatch?: number;
  /** Transactions in flight at once (2). */
  concurrency?: number;
  /**
   * The writer stores a batch with one statement, which is then its own transaction: no BEGIN and COMMIT round
   * trips. It is handed the pool instead of a transaction.
   */
  oneStatement?: boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;

  /**
   * `write` stores the items in the transaction it is given and answers one result per item, in order.
   * `concurrency` transactions may be in flight at once; what arrives meanwhile waits for the next one.
   */
  constructor(
    private readonly db: Db,
    private readonly write: (tx: Tx, items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions = {},
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.next();
    });
  }

  private next() {
    if (this.inFlight >= (this.opts.concurrency ?? 2) || this.queue.length === 0) return;
    this.inFlight++;
    // One turn of the event loop, so the requests that arrived together go in together.
    setImmediate(() => {
      const batch = this.queue.splice(0, this.opts.maxBatch ?? 500);
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    });
  }

  private inTransaction(write: (tx: Tx) => Promise<R[]>): Promise<R[]> {
    return this.opts.oneStatement ? write(this.db as unknown as Tx) : inTransaction(this.db, write);
  }

  private async commit(batch: Array<Waiting<T, R>>) {
    if (batch.length === 0) return;
    try {
      const results = await this.inTransaction((tx) =>
        this.write(
          tx,
          batch.map((w) => w.item),
        ),
      );
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      await Promise.all(
        batch.map(async (w) => {
          try {
            w.resolve((await this.inTransaction((tx) => this.write(tx, [w.item])))[0]);
          } catch (e) {
            w.reject(e);
          }
        }),
      );
    }
  }
}

export interface GroupWriter<T, R> {
  /** Committed together with other callers' items of the same pool, in a transaction of the writer's own. */
  (db: Db, item: T): Promise<R>;
  /** Written in the caller's own transaction, so it commits (or not) with the rest of its work. */
  inTransaction(tx: Queryable, item: T): Promise<R>;
}

/** A writer shared by every caller of one pool, made on first use; the caller says which way it writes. */
export function groupWriter<T, R>(
  write: (tx: Tx, items: T[]) => Promise<R[]>,
  opts: GroupCommitOptions = {},
): GroupWriter<T, R> {
  const writers = new WeakMap<Db, GroupCommit<T, R>>();
  const grouped = async (db: Db, item: T): Promise<R> => {
    let w = writers.get(db);
    if (!w) writers.set(db, (w = new GroupCommit(db, write, opts)));
    return w.submit(item);
  };
  return Object.assign(grouped, {
    inTransaction: async (tx: Queryable, item: T) => (await write(tx as Tx, [item]))[0],
  });
}
