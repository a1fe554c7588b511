/**
 * What a person may do to their own order, and doing it: cancel it (whole or some of its items), return items,
 * change its delivery. The rules live here — what can still be cancelled, the return window, an item already being
 * returned — and every change re-checks them in the transaction that makes it, on the order's locked row, so a
 * question asked before the order shipped cannot cancel it after.
 */
import crypto from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { type Order, type OrderItem, orderOfPerson } from './orders.js';

/** Days after delivery a return may be started. */
export const RETURN_DAYS = 30;

/** The items still in the order (not cancelled or returned). */
export const liveItems = (o: Order): OrderItem[] => o.items.filter((i) => i.status === 'ok');

/** Not handed to a carrier yet: it can still be cancelled and its delivery changed. */
export const notShipped = (o: Order) => o.status === 'placed' && o.shipments.every((s) => s.status === 'label_created');

/** What the lines cost: the refund of cancelling or returning them. */
export const refundOf = (o: Order, lineNos: readonly number[]) =>
  Math.round(
    o.items.filter((i) => lineNos.includes(i.lineNo)).reduce((s, i) => s + i.quantity * i.unitPrice, 0) * 100,
  ) / 100;

/** When the order was delivered (its last delivered shipment), if it was. */
export const deliveredAt = (o: Order): Date | null =>
  o.shipments
    .map((s) => s.deliveredAt)
    .filter((d): d is Date => !!d)
    .sort((a, b) => b.getTime() - a.getTime())[0] ?? null;

export type Refusal =
  | { reason: 'no_such_items' }
  | { reason: 'already_cancelled' }
  | { reason: 'delivered' }
  | { reason: 'shipped' }
  | { reason: 'not_shipped'; lineNos: number[] }
  | { reason: 'nothing_left' }
  | { reason: 'already_returning'; lineNos: number[] }
  | { reason: 'past_window'; deliveredAt: Date };

/** Whether these lines (all live ones when none are given) can be cancelled now. */
export function canCancel(o: Order, lineNos?: readonly number[]): { lineNos: number[]; refund: number } | Refusal {
  const live = liveItems(o);
  const want = lineNos ?? live.map((i) => i.lineNo);
  if (!want.length || !want.every((n) => o.items.some((i) => i.lineNo === n))) return { reason: 'no_such_items' };
  const lines = want.filter((n) => live.some((i) => i.lineNo === n));
  if (!lines.length || o.status === 'cancelled') return { reason: 'already_cancelled' };
  if (o.status === 'delivered' || o.status === 'returned') return { reason: 'delivered' };
  if (!notShipped(o)) return { reason: 'shipped' };
  return { lineNos: lines, refund: refundOf(o, lines) };
}

/** Whether these lines (or, with none, every live line not being returned) can go back now. */
export function canReturn(
  o: Order,
  returning: ReadonlySet<number>,
  now: Date,
  lineNos?: readonly number[],
): { lineNos: number[]; refund: number; deliveredAt: Date | null } | Refusal {
  const live = liveItems(o).filter((i) => !returning.has(i.lineNo));
  if (lineNos && !lineNos.every((n) => o.items.some((i) => i.lineNo === n))) return { reason: 'no_such_items' };
  if (lineNos?.length && lineNos.every((n) => returning.has(n)))
    return { reason: 'already_returning', lineNos: [...lineNos] };
  if (notShipped(o) && o.status === 'placed')
    return { reason: 'not_shipped', lineNos: [...(lineNos?.length ? lineNos : live.map((i) => i.lineNo))] };
  const want = (lineNos?.length ? lineNos : live.map((i) => i.lineNo)).filter((n) => live.some((i) => i.lineNo === n));
  if (!['shipped', 'delivered'].includes(o.status) || !want.length) return { reason: 'nothing_left' };
  const at = deliveredAt(o);
  if (at && now.getTime() - at.getTime() > RETURN_DAYS * 86400000) return { reason: 'past_window', deliveredAt: at };
  return { lineNos: want, refund: refundOf(o, want), deliveredAt: at };
}

export const isRefusal = (x: object): x is Refusal => 'reason' in x;

/** The order's row, locked for the rest of the transaction, with what the rules need. */
async function lockOrder(db: Queryable, personId: string, brandId: number, orderId: string) {
  const r = await db.query('SELECT 1 FROM orders WHERE person_id = $1 AND brand_id = $2 AND order_id = $3 FOR UPDATE', [
    personId,
    brandId,
    orderId,
  ]);
  return (r.rowCount ?? 0) > 0;
}

export interface ActionInput {
  personId: string;
  brandId: number;
  orderId: string;
  now: Date;
}

/**
 * Cancels lines of an order (all live lines when `lineNos` is left out): the lines become cancelled, the order too
 * when nothing is left, and a paid order's payment is being refunded. The rules are checked again on the locked order.
 */
export async function cancelItems(
  db: Queryable,
  a: ActionInput & { lineNos?: number[] },
): Promise<{ lineNos: number[]; refund: number; everything: boolean } | Refusal> {
  if (!(await lockOrder(db, a.personId, a.brandId, a.orderId))) return { reason: 'no_such_items' };
  const o = await orderOfPerson(db, a.personId, a.brandId, a.orderId);
  if (!o) return { reason: 'no_such_items' };
  const ok = canCancel(o, a.lineNos);
  if (isRefusal(ok)) return ok;
  await db.query(
    `UPDATE order_items SET status = 'cancelled' WHERE person_id = $1 AND brand_id = $2 AND order_id = $3 AND line_no = ANY($4)`,
    [a.personId, a.brandId, a.orderId, ok.lineNos],
  );
  const everything = liveItems(o).length === ok.lineNos.length;
  await db.query(
    `UPDATE orders SET status = CASE WHEN $4 THEN 'cancelled' ELSE status END,
       payment_status = CASE WHEN payment_status = 'paid' THEN 'refund_pending' ELSE payment_status END, updated_at = $5
     WHERE person_id = $1 AND brand_id = $2 AND order_id = $3`,
    [a.personId, a.brandId, a.orderId, everything, a.now],
  );
  return { ...ok, everything };
}

/** Starts a return of lines of a shipped or delivered order, within the window; the refund follows its receipt. */
export async function startReturn(
  db: Queryable,
  a: ActionInput & { lineNos: number[]; reason?: string; returnId?: string },
): Promise<{ returnId: string; lineNos: number[]; refund: number } | Refusal> {
  if (!(await lockOrder(db, a.personId, a.brandId, a.orderId))) return { reason: 'no_such_items' };
  const o = await orderOfPerson(db, a.personId, a.brandId, a.orderId);
  if (!o) return { reason: 'no_such_items' };
  const ok = canReturn(o, returningLines(o), a.now, a.lineNos);
  if (isRefusal(ok)) return ok;
  if (ok.lineNos.length !== a.lineNos.length)
    return { reason: 'already_returning', lineNos: a.lineNos.filter((n) => !ok.lineNos.includes(n)) };
  const returnId = a.returnId ?? `RET-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
  await db.query(
    `INSERT INTO returns (person_id, brand_id, return_id, order_id, line_nos, reason, status, refund_amount, refund_status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, 'pending', $8)`,
    [a.personId, a.brandId, returnId, a.orderId, ok.lineNos, a.reason ?? null, ok.refund, a.now],
  );
  return { returnId, lineNos: ok.lineNos, refund: ok.refund };
}

/** Changes how an order not shipped yet is delivered ("express", "pickup", "scheduled:2026-11-28"). */
export async function changeDeliveryOption(
  db: Queryable,
  a: ActionInput & { option: string },
): Promise<{ option: string } | Refusal> {
  if (!(await lockOrder(db, a.personId, a.brandId, a.orderId))) return { reason: 'no_such_items' };
  const o = await orderOfPerson(db, a.personId, a.brandId, a.orderId);
  if (!o) return { reason: 'no_such_items' };
  if (o.status === 'cancelled' || !liveItems(o).length) return { reason: 'already_cancelled' };
  if (!notShipped(o)) return { reason: o.status === 'delivered' ? 'delivered' : 'shipped' };
  await db.query(
    'UPDATE orders SET delivery_option = $4, updated_at = $5 WHERE person_id = $1 AND brand_id = $2 AND order_id = $3',
    [a.personId, a.brandId, a.orderId, a.option, a.now],
  );
  return { option: a.option };
}

/** The lines of an order with a return started (any return not rejected). */
export function returningLines(o: Order): Set<number> {
  return new Set((o.returns ?? []).filter((r) => r.status !== 'rejected').flatMap((r) => r.lineNos));
}
