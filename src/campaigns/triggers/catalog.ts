/**
 * Back in stock and price drop, from catalog changes: products someone wished for (added to a wishlist or a cart in
 * the last 90 days at this brand, not bought since) are watched; their stock and price as last seen are kept, and a
 * change since is a firing for each person who wished for the product. Once per product and change (the day it came
 * back, the new price). The snapshot moves on only after the firings were sent (`commit`).
 */
import type { Db } from '../../db/pool.js';
import type { Firing, TriggerName } from './kinds.js';

const WISHED = `SELECT DISTINCT e.person_id, e.product_id FROM events e
  WHERE e.brand_id = $1 AND e.event IN ('Product Added to Wishlist', 'Product Added') AND e.product_id IS NOT NULL
    AND e.occurred_at > $2 AND e.occurred_at <= $3
    AND NOT EXISTS (SELECT 1 FROM orders o JOIN order_items i USING (person_id, brand_id, order_id)
      WHERE o.person_id = e.person_id AND o.brand_id = e.brand_id AND i.product_id = e.product_id AND o.placed_at > e.occurred_at)`;

/** A price counts as dropped when it is at least this much lower than when last seen. */
export const PRICE_DROP = 0.05;

export async function catalogFirings(
  db: Db,
  brandId: number,
  now: Date,
  enabled: ReadonlySet<TriggerName>,
): Promise<{ firings: Firing[]; commit: () => Promise<void> }> {
  const since = new Date(now.getTime() - 90 * 86_400_000);
  const r = await db.query(
    `WITH wished AS (${WISHED})
     SELECT w.person_id, p.product_id, p.name, p.price::float8 AS price, p.currency, p.in_stock,
       s.price::float8 AS seen_price, s.in_stock AS seen_in_stock, s.product_id IS NOT NULL AS seen
     FROM wished w JOIN products p ON p.brand_id = $1 AND p.product_id = w.product_id
     LEFT JOIN watched_products s ON s.brand_id = $1 AND s.product_id = p.product_id
     ORDER BY p.product_id, w.person_id`,
    [brandId, since, now],
  );
  const firings: Firing[] = [];
  const products = new Map<string, { price: number | null; inStock: boolean }>();
  const day = now.toISOString().slice(0, 10);
  for (const x of r.rows) {
    products.set(x.product_id, { price: x.price, inStock: x.in_stock });
    if (!x.seen) continue;
    const data = { product: x.name, product_id: x.product_id, price: money(x.price, x.currency) };
    if (enabled.has('back_in_stock') && x.in_stock && !x.seen_in_stock)
      firings.push({
        trigger: 'back_in_stock',
        brandId,
        personId: x.person_id,
        windowKey: `${x.product_id}:${day}`,
        purpose: 'marketing',
        subject: '{{product}} is back',
        variants: ['{{product}}, which you had your eye on, is back in stock.'],
        data,
      });
    if (
      enabled.has('price_drop') &&
      x.in_stock &&
      x.price !== null &&
      x.seen_price !== null &&
      x.price <= x.seen_price * (1 - PRICE_DROP)
    )
      firings.push({
        trigger: 'price_drop',
        brandId,
        personId: x.person_id,
        windowKey: `${x.product_id}:${x.price}`,
        purpose: 'marketing',
        subject: '{{product}} costs less now',
        variants: ['{{product}}, which you had your eye on, is now {{price}} (it was {{was}}).'],
        data: { ...data, was: money(x.seen_price, x.currency) },
      });
  }
  const commit = async () => {
    if (products.size === 0) return;
    const ids = [...products.keys()];
    await db.query(
      `INSERT INTO watched_products (brand_id, product_id, price, in_stock, seen_at)
       SELECT $1, id, price, stock, $5 FROM unnest($2::text[], $3::numeric[], $4::boolean[]) AS x(id, price, stock)
       ON CONFLICT (brand_id, product_id) DO UPDATE SET price = EXCLUDED.price, in_stock = EXCLUDED.in_stock, seen_at = EXCLUDED.seen_at`,
      [brandId, ids, ids.map((i) => products.get(i)!.price), ids.map((i) => products.get(i)!.inStock), now],
    );
  };
  return { firings, commit };
}

function money(v: number | null, currency: string): string {
  if (v === null) return '';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(v);
}
