/**
 * Erasing a person everywhere. It runs as a few transactions, one per group of tables, in an order that cuts
 * access first: (1) sessions, grants and pseudonyms go and suppressions are written, so from that commit on no
 * brand can read the person and re-sent events cannot recreate them; then the brands' data about them, their
 * profile and audit log, every other room's rows, and last the person. Which tables, in which step, is what each room
 * declared in the registry (src/person-data.ts).
 * A job queued with the first commit finishes an erasure a crash interrupted. Linked brands are told by signed
 * webhook once it is complete. The receipt keeps only counts.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { inTransaction, type Tx } from '../db/pool.js';
import { forgetPseudonymCache, pidFor, suppressCustomersOf } from '../people/people.js';
import { deleteRows, type EraseStage, type PersonDataRegistry, personTables, REGISTRY } from '../person-data.js';
import { addJob, defineJob, ensureJobSchema, removeJob } from '../jobs/jobs.js';
import { queueWebhook } from '../messaging/index.js';
import { queueTraining } from '../recommend/training.js';

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

/** The tables an erasure deletes from in a stage, in the order their rooms declared them. */
const stageTables = (registry: PersonDataRegistry, stage: EraseStage) =>
  personTables(registry).filter((t) => t.erase === stage);

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

async function deleteStage(
  tx: Tx,
  registry: PersonDataRegistry,
  stage: EraseStage,
  personId: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of stageTables(registry, stage)) counts[t.table] = await deleteRows(tx, t, personId);
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
    // Every customer id of the person, linked or not, stays suppressed (a hash, not the id); their pending link
    // requests go.
    const suppressed = await suppressCustomersOf(tx, personId, now);
    const counts = await deleteStage(tx, registryOf(ctx), 'access', personId);
    counts.link_requests = suppressed.linkRequestsDeleted;
    await tx.query('UPDATE erasures SET counts = $3 WHERE person_id = $1 AND erasure_id = $2', [
      personId,
      erasureId,
      JSON.stringify({ ...counts, suppressions_written: suppressed.suppressionsWritten }),
    ]);
    await addJob(
      tx,
      finishErasureJob,
      { erasure_id: erasureId },
      { runAt: new Date(Date.now() + RESUME_AFTER_MS), jobKey: `erasure:${erasureId}` },
    );
    return erasureId;
  });
}

const registryOf = (ctx: AppContext) => ctx.registry ?? REGISTRY;

/** Steps 2..n: the table groups, then the person; idempotent, so a resumed erasure simply runs it again. */
export async function finishErasure(ctx: AppContext, erasureId: string): Promise<ErasureReceipt | null> {
  const e = await ctx.db.query('SELECT person_id, completed_at FROM erasures WHERE erasure_id = $1', [erasureId]);
  if (e.rowCount === 0) return null;
  const personId: string = e.rows[0].person_id;
  if (!e.rows[0].completed_at) {
    const registry = registryOf(ctx);
    for (const stage of ['brand data', 'profile', 'other rooms'] as const) {
      await inTransaction(ctx.db, async (tx) =>
        addCounts(tx, personId, erasureId, await deleteStage(tx, registry, stage, personId)),
      );
    }
    await inTransaction(ctx.db, async (tx) => {
      const person = await deleteStage(tx, registry, 'the person', personId);
      // Tables without a key to persons (order lines, events): rows that a transaction still writing them (an import,
      // a tracking batch) committed after the first pass are deleted here, once that transaction let go of the
      // person's row. The change log goes last (the deletes above wrote to it).
      const late: Record<string, number> = {};
      for (const t of personTables(registry).filter((x) => x.lateRows)) {
        const n = await deleteRows(tx, t, personId);
        if (n) late[t.table] = n;
      }
      await deleteStage(tx, registry, 'log', personId);
      await addCounts(tx, personId, erasureId, { ...person, ...late });
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
  // Deliveries (and the safety net) run on the queue, which every server process works (src/server/background.ts).
  return (await finishErasure(ctx, erasureId))!;
}

/** The safety net: finishes an erasure a crash interrupted. */
export const finishErasureJob = defineJob<{ erasure_id: string }>('gatekeeper.finish_erasure', async (ctx, payload) => {
  await finishErasure(ctx, (payload as { erasure_id: string }).erasure_id);
});
