/**
 * Erasing a person everywhere. It runs as a few transactions, one per group of tables, in an order that cuts
 * access first: (1) sessions, grants and pseudonyms go and suppressions are written, so from that commit on no
 * brand can read the person and re-sent events cannot recreate them; then the brands' data about them, their
 * profile and audit log, every other room's rows (any table with a person_id column), and last the person.
 * A job queued with the first commit finishes an erasure a crash interrupted. Linked brands are told by signed
 * webhook once it is complete. The receipt keeps only counts.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { inTransaction, type Tx } from '../db/pool.js';
import { forgetPseudonymCache, pidFor } from '../people/people.js';
import { addJob, defineJob, ensureJobSchema, removeJob, startJobRunner } from '../jobs/jobs.js';
import { queueWebhook } from './webhooks.js';
import { queueTraining } from '../recommend/training.js';

export const FINISH_ERASURE_JOB = 'gatekeeper.finish_erasure';
/** How long an erasure may take before the safety-net job finishes it in its place. */
const RESUME_AFTER_MS = 2 * 60_000;

export interface ErasureReceipt {
  erasureId: string;
  requestedAt: Date;
  completedAt: Date;
  /** Rows deleted, per table. */
  counts: Record<string, number>;
  brandsNotified: number;
}

interface Notice {
  brand_id: number;
  pid: string;
  customer_ids: string[];
}

/** The groups, in order; a table is deleted from in the order listed (children before parents). */
const GROUPS: Array<{ name: string; tables: string[] }> = [
  { name: 'brand data', tables: ['returns', 'shipments', 'order_items', 'orders', 'events', 'brand_customers'] },
  { name: 'profile', tables: ['facts', 'audit_log'] },
];
const ACCESS_TABLES = ['sessions', 'sign_in_links', 'grants', 'pseudonyms'];
/**
 * Not deleted from with the other rooms: the receipt itself (kept), and the log of the person's changes, which tells
 * every process that a view it keeps is out of date until the person's row is gone (then deleted with it).
 */
const KEPT = new Set(['erasures', 'person_changes']);

async function addCounts(tx: Tx, personId: string, erasureId: string, counts: Record<string, number>) {
  const r = await tx.query('SELECT counts FROM erasures WHERE person_id = $1 AND erasure_id = $2 FOR UPDATE', [
    personId,
    erasureId,
  ]);
  const total: Record<string, number> = r.rows[0].counts;
  for (const [t, n] of Object.entries(counts)) total[t] = (total[t] ?? 0) + n;
  await tx.query('UPDATE erasures SET counts = $3 WHERE person_id = $1 AND erasure_id = $2', [
    personId,
    erasureId,
    JSON.stringify(total),
  ]);
}

async function deleteFrom(tx: Tx, tables: string[], personId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables)
    counts[t] = (await tx.query(`DELETE FROM "${t}" WHERE person_id = $1`, [personId])).rowCount ?? 0;
  return counts;
}

/** Step 1, one transaction: access cut, suppressions written, what to tell brands noted. Returns the erasure id. */
async function startErasure(ctx: AppContext, personId: string): Promise<string> {
  const now = ctx.now();
  return inTransaction(ctx.db, async (tx) => {
    // One erasure of a person at a time: a second request joins the one under way.
    await tx.query('SELECT 1 FROM persons WHERE id = $1 FOR UPDATE', [personId]);
    const running = await tx.query('SELECT erasure_id FROM erasures WHERE person_id = $1 AND completed_at IS NULL', [
      personId,
    ]);
    if (running.rowCount) return running.rows[0].erasure_id as string;
    const erasureId = randomUUID();
    // Brands with a link, and brands that were ever granted something (they may hold what they read), are told.
    const brands = await tx.query(
      `SELECT brand_id, array_agg(external_id ORDER BY external_id) FILTER (WHERE external_id IS NOT NULL) AS customer_ids FROM (
         SELECT brand_id, external_id FROM brand_customers WHERE person_id = $1 AND confirmed_at IS NOT NULL
         UNION SELECT brand_id, NULL FROM grants WHERE person_id = $1) x GROUP BY brand_id ORDER BY brand_id`,
      [personId],
    );
    const notify: Notice[] = brands.rows.map((b) => ({
      brand_id: Number(b.brand_id),
      pid: pidFor(ctx.secret, personId, Number(b.brand_id)),
      customer_ids: b.customer_ids ?? [],
    }));
    await tx.query('INSERT INTO erasures (person_id, erasure_id, requested_at, notify) VALUES ($1, $2, $3, $4)', [
      personId,
      erasureId,
      now,
      JSON.stringify(notify),
    ]);
    // Every customer id of the person, linked or not, stays suppressed (a hash, not the id).
    const suppressed = await tx.query(
      `INSERT INTO suppressions (brand_id, customer_hash, created_at) SELECT brand_id, suppression_hash(brand_id, external_id), $2
       FROM brand_customers WHERE person_id = $1 ON CONFLICT DO NOTHING`,
      [personId, now],
    );
    const pending = await tx.query(
      `DELETE FROM link_requests lr USING brand_customers bc WHERE bc.person_id = $1 AND lr.brand_id = bc.brand_id AND lr.external_id = bc.external_id`,
      [personId],
    );
    const counts = await deleteFrom(tx, ACCESS_TABLES, personId);
    counts.link_requests = pending.rowCount ?? 0;
    await tx.query('UPDATE erasures SET counts = $3 WHERE person_id = $1 AND erasure_id = $2', [
      personId,
      erasureId,
      JSON.stringify({ ...counts, suppressions_written: suppressed.rowCount ?? 0 }),
    ]);
    await addJob(
      tx,
      FINISH_ERASURE_JOB,
      { erasure_id: erasureId },
      { runAt: new Date(Date.now() + RESUME_AFTER_MS), jobKey: `erasure:${erasureId}` },
    );
    return erasureId;
  });
}

/**
 * Tables of other rooms (conversations, messages, trust...) that hold person rows: found, not listed, so new ones are
 * covered. Ordered children first, so a foreign key between two of them without ON DELETE CASCADE does not stop it.
 */
async function otherPersonTables(ctx: AppContext): Promise<string[]> {
  const known = new Set([...ACCESS_TABLES, ...GROUPS.flatMap((g) => g.tables), ...KEPT]);
  const r = await ctx.db.query(
    `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = current_schema() AND c.column_name = 'person_id' ORDER BY c.table_name`,
  );
  const tables = r.rows.map((x) => x.table_name as string).filter((t) => !known.has(t));
  const fks = await ctx.db.query(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
     JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
     WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid`,
  );
  const childrenOf = new Map<string, string[]>();
  for (const { child, parent } of fks.rows) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), child]);
  // Depth-first: a table goes after every table that refers to it.
  const ordered: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (ordered.includes(t) || path.has(t)) return;
    path.add(t);
    for (const child of childrenOf.get(t) ?? []) if (tables.includes(child)) visit(child, path);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered;
}

/** Steps 2..n: the table groups, then the person; idempotent, so a resumed erasure simply runs it again. */
export async function finishErasure(ctx: AppContext, erasureId: string): Promise<ErasureReceipt | null> {
  const e = await ctx.db.query('SELECT person_id, completed_at FROM erasures WHERE erasure_id = $1', [erasureId]);
  if (e.rowCount === 0) return null;
  const personId: string = e.rows[0].person_id;
  if (!e.rows[0].completed_at) {
    for (const g of [...GROUPS, { name: 'other rooms', tables: await otherPersonTables(ctx) }]) {
      await inTransaction(ctx.db, async (tx) =>
        addCounts(tx, personId, erasureId, await deleteFrom(tx, g.tables, personId)),
      );
    }
    await inTransaction(ctx.db, async (tx) => {
      const persons = await tx.query('DELETE FROM persons WHERE id = $1', [personId]);
      // Order lines and events have no foreign key: rows that a transaction still writing them (an import, a
      // tracking batch) committed after the first pass are deleted here, once that transaction let go of the person's
      // row. The change log goes last (the deletes above wrote to it).
      const late: Record<string, number> = {};
      for (const t of ['order_items', 'events']) {
        const n = (await tx.query(`DELETE FROM ${t} WHERE person_id = $1`, [personId])).rowCount;
        if (n) late[t] = n;
      }
      await tx.query('DELETE FROM person_changes WHERE person_id = $1', [personId]);
      await addCounts(tx, personId, erasureId, { persons: persons.rowCount ?? 0, ...late });
      const done = await tx.query(
        'UPDATE erasures SET completed_at = $3 WHERE person_id = $1 AND erasure_id = $2 AND completed_at IS NULL RETURNING notify',
        [personId, erasureId, ctx.now()],
      );
      if (done.rowCount === 0) return; // finished meanwhile by the other runner
      let notified = 0;
      for (const n of done.rows[0].notify as Notice[]) {
        // The brand's model learned from the person's history: the next version forgets it.
        await queueTraining(tx, n.brand_id);
        const hasWebhook = await tx.query('SELECT 1 FROM brands WHERE id = $1 AND webhook_url IS NOT NULL', [
          n.brand_id,
        ]);
        if (!hasWebhook.rowCount) continue;
        await queueWebhook(tx, n.brand_id, `msg_erasure_${erasureId}_${n.brand_id}`, {
          type: 'person.erased',
          timestamp: ctx.now().toISOString(),
          data: { erasure_id: erasureId, pid: n.pid, customer_ids: n.customer_ids },
        });
        notified++;
      }
      await removeJob(tx, `erasure:${erasureId}`); // the safety net is not needed any more
      // What brands were to be told now sits in their queued webhooks only.
      await tx.query(
        `UPDATE erasures SET notify = '[]', brands_notified = $3 WHERE person_id = $1 AND erasure_id = $2`,
        [personId, erasureId, notified],
      );
    });
    forgetPseudonymCache();
  }
  const r = await ctx.db.query(
    'SELECT requested_at, completed_at, counts, brands_notified FROM erasures WHERE erasure_id = $1',
    [erasureId],
  );
  const x = r.rows[0];
  return {
    erasureId,
    requestedAt: x.requested_at,
    completedAt: x.completed_at,
    counts: x.counts,
    brandsNotified: x.brands_notified,
  };
}

/** DELETE /v1/me: erases the person and returns the receipt. */
export async function erasePerson(ctx: AppContext, personId: string): Promise<ErasureReceipt> {
  await ensureJobSchema(ctx);
  const erasureId = await startErasure(ctx, personId);
  const receipt = await finishErasure(ctx, erasureId);
  // Deliveries (and the safety net) run on the queue; make sure this process works it.
  void startJobRunner(ctx).catch(() => {});
  return receipt!;
}

defineJob(FINISH_ERASURE_JOB, async (ctx, payload) => {
  await finishErasure(ctx, (payload as { erasure_id: string }).erasure_id);
});
