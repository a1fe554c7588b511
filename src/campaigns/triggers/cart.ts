/**
 * An abandoned cart, from the brand's events: the person's last "Product Added" is between an hour and two days old
 * and no order or "Order Completed" came after it. Once per cart (its last addition).
 */
import type { Firing, FindFirings } from './kinds.js';

const HOUR = 3_600_000;
export const CART_IDLE_HOURS = 1;
export const CART_MAX_HOURS = 48;

export const abandonedCarts: FindFirings = async (ctx, brandId, now) => {
  const r = await ctx.db.query(
    `SELECT DISTINCT ON (e.person_id) e.person_id, e.message_id, e.occurred_at, e.product_id,
       coalesce(p.name, e.properties->>'name', e.product_id) AS name
     FROM events e LEFT JOIN products p ON p.brand_id = e.brand_id AND p.product_id = e.product_id
     WHERE e.brand_id = $1 AND e.event = 'Product Added' AND e.occurred_at > $2 AND e.occurred_at <= $3
     ORDER BY e.person_id, e.occurred_at DESC, e.message_id DESC`,
    [brandId, new Date(now.getTime() - CART_MAX_HOURS * HOUR), now],
  );
  const idleSince = now.getTime() - CART_IDLE_HOURS * HOUR;
  const carts = r.rows.filter((x) => new Date(x.occurred_at).getTime() <= idleSince);
  if (carts.length === 0) return [];
  // Bought since: an order placed, or an "Order Completed" tracked, after the last addition.
  const bought = await ctx.db.query(
    `SELECT c.p AS person_id FROM unnest($2::uuid[], $3::timestamptz[]) AS c(p, at)
     WHERE EXISTS (SELECT 1 FROM orders o WHERE o.person_id = c.p AND o.brand_id = $1 AND o.placed_at >= c.at)
        OR EXISTS (SELECT 1 FROM events e WHERE e.person_id = c.p AND e.brand_id = $1 AND e.event = 'Order Completed' AND e.occurred_at >= c.at)`,
    [brandId, carts.map((c) => c.person_id), carts.map((c) => c.occurred_at)],
  );
  const done = new Set(bought.rows.map((x) => x.person_id as string));
  return carts
    .filter((c) => !done.has(c.person_id))
    .map(
      (c): Firing => ({
        trigger: 'abandoned_cart',
        brandId,
        personId: c.person_id,
        windowKey: `cart:${c.message_id}`,
        purpose: 'marketing',
        subject: 'Still thinking it over?',
        variants: ['You left {{product}} in your cart. Want to pick up where you left off?'],
        data: { product: c.name, product_id: c.product_id },
      }),
    );
};
