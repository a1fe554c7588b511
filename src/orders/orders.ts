import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { addCustomerTraits, resolveCustomers, SUPPRESSED_PERSON } from '../people/index.js';
import { upsertProducts } from '../catalog/catalog.js';
import { StringEnum, refuseRepeats } from '../validation.js';
import { observeHabits } from '../profile/observe.js';
import { recordTrustSignals } from '../trust/index.js';

const Time = Type.String({ format: 'date-time' });
const Money = Type.Number({ minimum: -1e9, maximum: 1e9 });

export const CustomerInput = Type.Object(
  {
    customer_id: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type CustomerInput = Static<typeof CustomerInput>;

export const OrderItemInput = Type.Object(
  {
    product_id: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.Optional(Type.String({ maxLength: 500 })),
    quantity: Type.Integer({ minimum: -100000, maximum: 100000 }),
    unit_price: Type.Optional(Money),
    status: Type.Optional(StringEnum(['ok', 'cancelled', 'returned'])),
  },
  { additionalProperties: false },
);

export const ORDER_STATUSES = ['placed', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
export const OrderInput = Type.Object(
  {
    order_id: Type.String({ minLength: 1, maxLength: 200 }),
    customer_id: Type.String({ minLength: 1, maxLength: 200 }),
    placed_at: Time,
    status: Type.Optional(StringEnum(ORDER_STATUSES)),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    payment_method: Type.Optional(Type.String({ maxLength: 100 })),
    payment_status: Type.Optional(Type.String({ maxLength: 50 })),
    delivery_option: Type.Optional(Type.String({ maxLength: 100 })),
    items: Type.Array(OrderItemInput, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type OrderInput = Static<typeof OrderInput>;

export const SHIPMENT_STATUSES = ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception'] as const;
export const ShipmentInput = Type.Object(
  {
    shipment_id: Type.String({ minLength: 1, maxLength: 200 }),
    order_id: Type.String({ minLength: 1, maxLength: 200 }),
    carrier: Type.String({ minLength: 1, maxLength: 100 }),
    service: Type.Optional(Type.String({ maxLength: 100 })),
    tracking_number: Type.Optional(Type.String({ maxLength: 200 })),
    tracking_url: Type.Optional(Type.String({ maxLength: 2000 })),
    status: Type.Optional(StringEnum(SHIPMENT_STATUSES)),
    shipped_at: Type.Optional(Time),
    window_start: Type.Optional(Time),
    window_end: Type.Optional(Time),
    delivered_at: Type.Optional(Time),
  },
  { additionalProperties: false },
);
export type ShipmentInput = Static<typeof ShipmentInput>;

export async function upsertCustomers(
  db: Queryable,
  brandId: number,
  customers: CustomerInput[],
  where = (i: number) => `/body/customers/${i}`,
): Promise<number> {
  if (customers.length === 0) return 0;
  refuseRepeats(
    customers,
    (c) => c.customer_id,
    (i) => `${where(i)}/customer_id`,
  );
  await resolveCustomers(
    db,
    brandId,
    customers.map((c) => c.customer_id),
  );
  return addCustomerTraits(
    db,
    brandId,
    customers.map((c) => ({
      externalId: c.customer_id,
      traits: { ...(c.traits ?? {}), ...(c.email ? { email: c.email } : {}), ...(c.name ? { name: c.name } : {}) },
    })),
  );
}

/** What an import already wrote in its transaction: customers resolved to persons, products in the catalog. */
export interface Written {
  persons: Map<string, string>;
  products: Set<string>;
}

/**
 * Inserts or updates whole orders with their items, in a few set-based statements.
 * `observe: false` leaves the habits to the caller: an import observes once, at its end, rather than per chunk.
 * `written` lets an import skip the customers and products its earlier chunks already wrote.
 */
export async function upsertOrders(
  db: Queryable,
  brandId: number,
  orders: OrderInput[],
  opts: {
    observe?: boolean;
    written?: Written;
    /** Where order i is, for errors (`/body/orders/3`, `line 12`). */
    where?: (i: number) => string;
    /** Filled with the orders not stored because their customer erased their data. */
    erased?: number[];
  } = {},
): Promise<number> {
  if (orders.length === 0) return 0;
  const where = opts.where ?? ((i: number) => `/body/orders/${i}`);
  refuseRepeats(
    orders,
    (o) => o.order_id,
    (i) => `${where(i)}/order_id`,
  );
  const written = opts.written ?? { persons: new Map<string, string>(), products: new Set<string>() };
  const unknown = [...new Set(orders.map((o) => o.customer_id))].filter((id) => !written.persons.has(id));
  if (unknown.length)
    for (const [id, person] of await resolveCustomers(db, brandId, unknown)) written.persons.set(id, person);
  const persons = written.persons;
  const pid = orders.map((o) => persons.get(o.customer_id)!);
  await refuseOtherCustomersOrders(db, brandId, orders, pid, where);
  // An order is written whole: one that was there already (xmax is set on a row the upsert updated, not on one it
  // inserted) loses its old lines, then its lines are inserted, cheaper per line than an upsert.
  const upserted = await db.query(
    `INSERT INTO orders (person_id, brand_id, order_id, status, placed_at, total, currency, payment_method, payment_status, delivery_option)
     SELECT p, $1, oid, st, at, tot, cur, pm, ps, dopt
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::numeric[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS x(p, oid, st, at, tot, cur, pm, ps, dopt)
     ON CONFLICT (person_id, brand_id, order_id) DO UPDATE SET status = EXCLUDED.status, placed_at = EXCLUDED.placed_at,
       total = EXCLUDED.total, currency = EXCLUDED.currency, payment_method = EXCLUDED.payment_method,
       payment_status = EXCLUDED.payment_status, delivery_option = EXCLUDED.delivery_option, updated_at = now()
     RETURNING person_id, order_id, xmax <> 0 AS existed`,
    [
      brandId,
      pid,
      orders.map((o) => o.order_id),
      orders.map((o) => o.status ?? 'placed'),
      orders.map((o) => o.placed_at),
      orders.map((o) => Math.round(o.items.reduce((s, i) => s + i.quantity * (i.unit_price ?? 0), 0) * 100) / 100),
      orders.map((o) => o.currency ?? 'USD'),
      orders.map((o) => o.payment_method ?? null),
      orders.map((o) => o.payment_status ?? 'paid'),
      orders.map((o) => o.delivery_option ?? 'standard'),
    ],
  );
  // A statement of its own, so it sees lines that a concurrent writer of the same order committed while the upsert
  // waited for that order's row (the upsert's own snapshot would not, and the insert would then collide).
  const existing = upserted.rows.filter((r) => r.existed);
  if (existing.length) {
    await db.query(
      `DELETE FROM order_items i USING unnest($2::uuid[], $3::text[]) AS x(p, oid) WHERE i.person_id = x.p AND i.brand_id = $1 AND i.order_id = x.oid`,
      [brandId, existing.map((r) => r.person_id), existing.map((r) => r.order_id)],
    );
  }
  const cols = {
    p: [] as string[],
    oid: [] as string[],
    line: [] as number[],
    prod: [] as string[],
    name: [] as string[],
    qty: [] as number[],
    price: [] as number[],
    st: [] as string[],
  };
  const products = new Map<string, { id: string; name: string; price?: number }>();
  orders.forEach((o, i) =>
    o.items.forEach((it, line) => {
      cols.p.push(pid[i]);
      cols.oid.push(o.order_id);
      cols.line.push(line + 1);
      cols.prod.push(it.product_id);
      cols.name.push(it.name ?? it.product_id);
      cols.qty.push(it.quantity);
      cols.price.push(it.unit_price ?? 0);
      cols.st.push(it.status ?? (o.status === 'cancelled' ? 'cancelled' : 'ok'));
      if (!products.has(it.product_id) && !written.products.has(it.product_id))
        products.set(it.product_id, { id: it.product_id, name: it.name ?? it.product_id, price: it.unit_price });
    }),
  );
  await db.query(
    `INSERT INTO order_items (person_id, brand_id, order_id, line_no, product_id, name, quantity, unit_price, status)
     SELECT p, $1, oid, line, prod, name, qty, price, st
     FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::numeric[], $9::text[]) AS x(p, oid, line, prod, name, qty, price, st)
     WHERE p <> '${SUPPRESSED_PERSON}'`,
    [brandId, cols.p, cols.oid, cols.line, cols.prod, cols.name, cols.qty, cols.price, cols.st],
  );
  // Products a brand sells before it sent its catalog still get a catalog entry, so they can be named and recommended.
  await upsertProducts(
    db,
    brandId,
    [...products.values()].map((p) => ({
      id: p.id,
      name: p.name,
      price: p.price !== undefined && p.price >= 0 ? p.price : undefined,
    })),
    true,
  );
  for (const id of products.keys()) written.products.add(id);
  // A purchase builds trust between the customer and the brand, once per order. An import (observed at its end) is
  // the history a brand brings along, not something that happened between them now: it moves no trust.
  if (opts.observe !== false)
    await recordTrustSignals(
      db,
      orders.flatMap((o, i) =>
        pid[i] === SUPPRESSED_PERSON || o.status === 'cancelled'
          ? []
          : [{ personId: pid[i], brandId, kind: 'purchase' as const, ref: o.order_id, at: new Date(o.placed_at) }],
      ),
    );
  if (opts.observe !== false) await observeHabits(db, brandId, pid);
  const erased = pid.flatMap((p, i) => (p === SUPPRESSED_PERSON ? [i] : []));
  opts.erased?.push(...erased);
  return orders.length - erased.length;
}

/**
 * An order id is the brand's, once: sent for another customer than the one it was stored for, the request is refused
 * (409) rather than stored as a second order. Claiming the ids first (order_claims) makes two writers of one new id
 * take turns, so the second sees the first's order.
 */
async function refuseOtherCustomersOrders(
  db: Queryable,
  brandId: number,
  orders: OrderInput[],
  pid: string[],
  where: (i: number) => string,
) {
  const ids = orders.map((o) => o.order_id);
  await db.query('INSERT INTO order_claims (brand_id, order_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING', [
    brandId,
    ids,
  ]);
  const owners = await db.query(
    'SELECT order_id, person_id FROM orders WHERE brand_id = $1 AND order_id = ANY($2::text[])',
    [brandId, ids],
  );
  if (owners.rowCount === 0) return;
  const ownerOf = new Map<string, string>(owners.rows.map((r) => [r.order_id, r.person_id]));
  const i = orders.findIndex((o, i) => ownerOf.has(o.order_id) && ownerOf.get(o.order_id) !== pid[i]);
  if (i >= 0)
    throw new AppError(
      'conflict',
      `order "${orders[i].order_id}" is another customer's: an order id is unique per brand`,
      where(i).endsWith('/order_id') ? where(i) : `${where(i)}/customer_id`,
    );
}

export async function upsertShipments(
  db: Queryable,
  brandId: number,
  shipments: ShipmentInput[],
  where = (i: number) => `/body/shipments/${i}`,
): Promise<number> {
  if (shipments.length === 0) return 0;
  refuseRepeats(
    shipments,
    (s) => s.shipment_id,
    (i) => `${where(i)}/shipment_id`,
  );
  const orderIds = shipments.map((s) => s.order_id);
  const owners = await db.query('SELECT order_id, person_id FROM orders WHERE brand_id = $1 AND order_id = ANY($2)', [
    brandId,
    [...new Set(orderIds)],
  ]);
  const personOf = new Map<string, string>(owners.rows.map((r) => [r.order_id, r.person_id]));
  const missing = orderIds.findIndex((id) => !personOf.has(id));
  if (missing >= 0)
    throw new AppError(
      'unprocessable',
      `order_id: no order "${orderIds[missing]}" for this brand (send the order first)`,
      `${where(missing)}/order_id`,
    );
  const t = (v: string | undefined) => v ?? null;
  await db.query(
    `INSERT INTO shipments (person_id, brand_id, shipment_id, order_id, carrier, service, tracking_number, tracking_url, status, shipped_at, window_start, window_end, delivered_at)
     SELECT p, $1, sid, oid, car, svc, tn, tu, st, sa, ws, we, da
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[])
       AS x(p, sid, oid, car, svc, tn, tu, st, sa, ws, we, da)
     ON CONFLICT (person_id, brand_id, shipment_id) DO UPDATE SET carrier = EXCLUDED.carrier, service = EXCLUDED.service,
       tracking_number = EXCLUDED.tracking_number, tracking_url = EXCLUDED.tracking_url, status = EXCLUDED.status,
       shipped_at = EXCLUDED.shipped_at, window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, delivered_at = EXCLUDED.delivered_at`,
    [
      brandId,
      orderIds.map((id) => personOf.get(id)!),
      shipments.map((s) => s.shipment_id),
      orderIds,
      shipments.map((s) => s.carrier),
      shipments.map((s) => t(s.service)),
      shipments.map((s) => t(s.tracking_number)),
      shipments.map((s) => t(s.tracking_url)),
      shipments.map((s) => s.status ?? 'in_transit'),
      shipments.map((s) => t(s.shipped_at)),
      shipments.map((s) => t(s.window_start)),
      shipments.map((s) => t(s.window_end)),
      shipments.map((s) => t(s.delivered_at)),
    ],
  );
  // An order with a shipment on its way is at least shipped.
  await db.query(
    `UPDATE orders o SET status = CASE WHEN s.status = 'delivered' THEN 'delivered' ELSE 'shipped' END, updated_at = now()
     FROM shipments s WHERE s.person_id = o.person_id AND s.brand_id = o.brand_id AND s.order_id = o.order_id
       AND o.brand_id = $1 AND o.order_id = ANY($2) AND o.status IN ('placed', 'shipped')`,
    [brandId, orderIds],
  );
  return shipments.length;
}

/** A Segment "Order Completed" event becomes an order (e-commerce v2 spec: order_id, products[], currency). */
export async function upsertOrderFromEvent(
  db: Queryable,
  brandId: number,
  personId: string,
  props: Record<string, unknown>,
  at: Date,
  /** Where the event is (`/body/batch/3`), for errors. */
  where = '/body',
) {
  const orderId = props.order_id ?? props.checkout_id;
  const products = Array.isArray(props.products) ? (props.products as Array<Record<string, unknown>>) : [];
  if ((typeof orderId !== 'string' && typeof orderId !== 'number') || products.length === 0) return;
  // The event was checked when it arrived (ingest's checkOrderCompleted): the values are used as they are.
  const items = products.map((p) => ({
    product_id: String(p.product_id ?? p.sku),
    name: typeof p.name === 'string' ? p.name : undefined,
    quantity: typeof p.quantity === 'number' ? p.quantity : 1,
    unit_price: typeof p.price === 'number' ? p.price : 0,
  }));
  if (items.length === 0) return;
  const customer = await db.query(
    'SELECT external_id FROM brand_customers WHERE brand_id = $1 AND person_id = $2 LIMIT 1',
    [brandId, personId],
  );
  if (customer.rowCount === 0) return;
  await upsertOrders(
    db,
    brandId,
    [
      {
        order_id: String(orderId),
        customer_id: customer.rows[0].external_id,
        placed_at: at.toISOString(),
        currency: typeof props.currency === 'string' ? props.currency : 'USD',
        items,
      },
    ],
    { where: () => `${where}/properties/order_id` },
  );
}

export interface OrderItem {
  lineNo: number;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  status: string;
}
export interface Shipment {
  shipmentId: string;
  carrier: string;
  service: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  status: string;
  shippedAt: Date | null;
  windowStart: Date | null;
  windowEnd: Date | null;
  deliveredAt: Date | null;
}
/** A return of some of an order's lines. */
export interface Return {
  returnId: string;
  lineNos: number[];
  /** requested, received, refunded, rejected */
  status: string;
  refundAmount: number | null;
  refundStatus: string;
  createdAt: Date;
  refundedAt: Date | null;
}
export interface Order {
  orderId: string;
  brandId: number;
  status: string;
  placedAt: Date;
  total: number;
  currency: string;
  paymentMethod: string | null;
  paymentStatus: string;
  deliveryOption: string;
  items: OrderItem[];
  shipments: Shipment[];
  returns: Return[];
}

const ORDER_SELECT = `SELECT o.order_id AS "orderId", o.brand_id AS "brandId", o.status, o.placed_at AS "placedAt", o.total, o.currency,
  o.payment_method AS "paymentMethod", o.payment_status AS "paymentStatus", o.delivery_option AS "deliveryOption",
  COALESCE((SELECT json_agg(json_build_object('lineNo', i.line_no, 'productId', i.product_id, 'name', i.name, 'quantity', i.quantity,
     'unitPrice', i.unit_price, 'status', i.status) ORDER BY i.line_no) FROM order_items i
     WHERE i.person_id = o.person_id AND i.brand_id = o.brand_id AND i.order_id = o.order_id), '[]') AS items,
  COALESCE((SELECT json_agg(json_build_object('shipmentId', s.shipment_id, 'carrier', s.carrier, 'service', s.service,
     'trackingNumber', s.tracking_number, 'trackingUrl', s.tracking_url, 'status', s.status, 'shippedAt', s.shipped_at,
     'windowStart', s.window_start, 'windowEnd', s.window_end, 'deliveredAt', s.delivered_at) ORDER BY s.shipped_at) FROM shipments s
     WHERE s.person_id = o.person_id AND s.brand_id = o.brand_id AND s.order_id = o.order_id), '[]') AS shipments,
  COALESCE((SELECT json_agg(json_build_object('returnId', r.return_id, 'lineNos', r.line_nos, 'status', r.status,
     'refundAmount', r.refund_amount, 'refundStatus', r.refund_status, 'createdAt', r.created_at, 'refundedAt', r.refunded_at)
     ORDER BY r.created_at) FROM returns r
     WHERE r.person_id = o.person_id AND r.brand_id = o.brand_id AND r.order_id = o.order_id), '[]') AS returns
  FROM orders o`;

function hydrate(row: Order): Order {
  row.items = row.items.map((i) => ({ ...i, unitPrice: Number(i.unitPrice) }));
  row.shipments = row.shipments.map((s) => ({
    ...s,
    shippedAt: s.shippedAt && new Date(s.shippedAt),
    windowStart: s.windowStart && new Date(s.windowStart),
    windowEnd: s.windowEnd && new Date(s.windowEnd),
    deliveredAt: s.deliveredAt && new Date(s.deliveredAt),
  }));
  row.returns = row.returns.map((r) => ({
    ...r,
    refundAmount: r.refundAmount === null ? null : Number(r.refundAmount),
    createdAt: new Date(r.createdAt),
    refundedAt: r.refundedAt && new Date(r.refundedAt),
  }));
  return row;
}

/** One of a person's own orders at a brand, or null. */
export async function orderOfPerson(
  db: Queryable,
  personId: string,
  brandId: number,
  orderId: string,
): Promise<Order | null> {
  const r = await db.query(`${ORDER_SELECT} WHERE o.person_id = $1 AND o.brand_id = $2 AND o.order_id = $3`, [
    personId,
    brandId,
    orderId,
  ]);
  return r.rows[0] ? hydrate(r.rows[0]) : null;
}

/** A person's orders at one brand, newest first (the person's own data, or the brand's own for `service`). */
export async function ordersOfPerson(db: Queryable, personId: string, brandId: number, limit = 50): Promise<Order[]> {
  const r = await db.query(
    `${ORDER_SELECT} WHERE o.person_id = $1 AND o.brand_id = $2 ORDER BY o.placed_at DESC LIMIT $3`,
    [personId, brandId, limit],
  );
  return r.rows.map(hydrate);
}

/** A brand's own order by its id; another brand's order is not found. */
export async function orderOfBrand(
  db: Queryable,
  brandId: number,
  orderId: string,
): Promise<(Order & { customerId: string | null }) | null> {
  const r = await db.query(
    `${ORDER_SELECT.replace('FROM orders o', `, (SELECT bc.external_id FROM brand_customers bc WHERE bc.brand_id = o.brand_id AND bc.person_id = o.person_id ORDER BY bc.created_at LIMIT 1) AS "customerId" FROM orders o`)}
     WHERE o.brand_id = $1 AND o.order_id = $2`,
    [brandId, orderId],
  );
  return r.rows[0] ? (hydrate(r.rows[0]) as Order & { customerId: string | null }) : null;
}
