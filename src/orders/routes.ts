import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from '../http-schemas.js';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity } from '../server/auth.js';
import { inTransaction } from '../db/pool.js';
import { notFound } from '../errors.js';
import {
  CustomerInput,
  OrderInput,
  ShipmentInput,
  orderOfBrand,
  upsertCustomers,
  upsertOrders,
  upsertShipments,
} from './orders.js';

export const OrderSchema = Type.Object({
  orderId: Type.String(),
  customerId: Nullable(Type.String()),
  status: Type.String(),
  placedAt: DateTime,
  total: Type.Number(),
  currency: Type.String(),
  paymentMethod: Nullable(Type.String()),
  paymentStatus: Type.String(),
  deliveryOption: Type.String(),
  items: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      productId: Type.String(),
      name: Type.String(),
      quantity: Type.Integer(),
      unitPrice: Type.Number(),
      status: Type.String(),
    }),
  ),
  shipments: Type.Array(
    Type.Object({
      shipmentId: Type.String(),
      carrier: Type.String(),
      service: Nullable(Type.String()),
      trackingNumber: Nullable(Type.String()),
      trackingUrl: Nullable(Type.String()),
      status: Type.String(),
      shippedAt: Nullable(DateTime),
      windowStart: Nullable(DateTime),
      windowEnd: Nullable(DateTime),
      deliveredAt: Nullable(DateTime),
    }),
  ),
  returns: Type.Array(
    Type.Object({
      returnId: Type.String(),
      lineNos: Type.Array(Type.Integer()),
      status: Type.String({ description: 'requested, received, refunded or rejected' }),
      refundAmount: Nullable(Type.Number()),
      refundStatus: Type.String(),
      createdAt: DateTime,
      refundedAt: Nullable(DateTime),
    }),
  ),
});

const Skipped = Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }), {
  description: 'Orders not stored, and why (their customer erased their data)',
});

export function orderRoutes(app: App, ctx: AppContext) {
  const bulk = <S extends typeof CustomerInput | typeof OrderInput | typeof ShipmentInput>(
    path: string,
    key: 'customers' | 'orders' | 'shipments',
    item: S,
    store: (
      tx: Parameters<typeof upsertOrders>[0],
      brandId: number,
      rows: never[],
    ) => Promise<number | { stored: number; skipped?: Array<{ path: string; reason: string }> }>,
    summary: string,
  ) =>
    app.post(
      path,
      {
        schema: {
          tags: ['orders'],
          summary,
          security: brandSecurity,
          body: Type.Object({ [key]: Type.Array(item, { minItems: 1, maxItems: 5000 }) }),
          response: { 200: Type.Object({ stored: Type.Integer(), skipped: Type.Optional(Skipped) }) },
        },
      },
      async (req) => {
        const brand = await brandFromSecretKey(ctx, req);
        const rows = (req.body as unknown as Record<string, never[]>)[key];
        const r = await inTransaction(ctx.db, (tx) => store(tx, brand.id, rows));
        return typeof r === 'number' ? { stored: r } : r;
      },
    );
  bulk('/v1/customers', 'customers', CustomerInput, upsertCustomers, 'Add or update customers (all or nothing)');
  bulk(
    '/v1/orders',
    'orders',
    OrderInput,
    async (tx, brandId, rows: OrderInput[]) => {
      const erased: number[] = [];
      const stored = await upsertOrders(tx, brandId, rows, { erased });
      if (erased.length === 0) return { stored };
      const reason = 'the customer erased their data at Confidant; nothing of theirs is stored any more';
      return { stored, skipped: erased.map((i) => ({ path: `/body/orders/${i}`, reason })) };
    },
    'Add or update orders with their items (all or nothing); an order id is unique per brand',
  );
  bulk(
    '/v1/shipments',
    'shipments',
    ShipmentInput,
    upsertShipments,
    'Add or update shipments of existing orders (all or nothing)',
  );

  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        tags: ['orders'],
        summary: "One of the brand's orders",
        security: brandSecurity,
        params: Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: OrderSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const order = await orderOfBrand(ctx.db, brand.id, req.params.orderId);
      if (!order) throw notFound(`order "${req.params.orderId}"`);
      return order;
    },
  );
}
