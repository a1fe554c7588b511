/**
 * Order shipped and order delayed, from the brand's shipments: transactional messages about the person's own order
 * (no fact of the profile in them). Shipped: within three days of `shipped_at`, once per shipment. Delayed: the
 * delivery window ended without a delivery (or the carrier reported an exception), once per shipment and window.
 */
import type { Firing, FindFirings } from './kinds.js';

const DAY = 86_400_000;

/** "Philips Sonicare ProtectiveClean 6100 and 3 more items": the first line of the order, and how many more. */
const WHAT = `(SELECT (array_agg(i.name ORDER BY i.line_no))[1] || CASE count(*) WHEN 1 THEN '' WHEN 2 THEN ' and 1 more item'
    ELSE ' and ' || (count(*) - 1) || ' more items' END
  FROM order_items i WHERE i.person_id = s.person_id AND i.brand_id = s.brand_id AND i.order_id = s.order_id AND i.status = 'ok')`;

export const orderShipped: FindFirings = async (ctx, brandId, now) => {
  const r = await ctx.db.query(
    `SELECT s.person_id, s.shipment_id, s.order_id, s.carrier, s.tracking_url, ${WHAT} AS what FROM shipments s
     WHERE s.brand_id = $1 AND s.shipped_at > $2 AND s.shipped_at <= $3 AND s.delivered_at IS NULL AND s.status <> 'delivered'`,
    [brandId, new Date(now.getTime() - 3 * DAY), now],
  );
  return r.rows.map(
    (x): Firing => ({
      trigger: 'order_shipped',
      brandId,
      personId: x.person_id,
      windowKey: `shipment:${x.shipment_id}`,
      purpose: 'transactional',
      subject: 'Your order is on its way',
      variants: [
        x.tracking_url
          ? 'Your {{what}} shipped with {{carrier}}. Track it here: {{tracking_url}}'
          : 'Your {{what}} shipped with {{carrier}}.',
      ],
      data: { what: x.what ?? 'order', carrier: x.carrier, tracking_url: x.tracking_url ?? '', order_id: x.order_id },
    }),
  );
};

export const orderDelayed: FindFirings = async (ctx, brandId, now) => {
  const r = await ctx.db.query(
    `SELECT s.person_id, s.shipment_id, s.order_id, s.carrier, s.window_end, s.status, ${WHAT} AS what FROM shipments s
     WHERE s.brand_id = $1 AND s.delivered_at IS NULL AND s.status <> 'delivered'
       AND ((s.window_end < $3 AND s.window_end > $2) OR (s.status = 'exception' AND coalesce(s.shipped_at, s.window_end) > $2))`,
    [brandId, new Date(now.getTime() - 7 * DAY), now],
  );
  return r.rows.map(
    (x): Firing => ({
      trigger: 'order_delayed',
      brandId,
      personId: x.person_id,
      windowKey: `shipment:${x.shipment_id}:${x.window_end ? new Date(x.window_end).toISOString() : x.status}`,
      purpose: 'transactional',
      subject: 'Your order is running late',
      variants: ["Sorry, your {{what}} is running late with {{carrier}}. We're on it and will tell you when it moves."],
      data: { what: x.what ?? 'order', carrier: x.carrier, order_id: x.order_id },
    }),
  );
};
