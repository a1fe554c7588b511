/**
 * The shopper's own orders as the chat sees them: only theirs (read by their person id), at this brand
 * or, in their own Confidant, at every brand they linked. Also how items are named and which order a
 * message is about.
 */
import type { Product } from '../../catalog/index.js';
import { liveItems, type Order, type OrderItem, ordersOfPerson } from '../../orders/index.js';
import { PRODUCT_COLUMNS } from '../../catalog/index.js';
import type { Turn } from '../turn.js';
import { contactState } from '../../messaging/index.js';
import { constraintsFrom, mayShow } from '../../recommend/index.js';
import { turnView } from './view.js';
import { requestWords } from '../suggest.js';
import { asItem, complementName, itemsPhrase, leadItem, shortName, singular } from '../wording.js';

export interface Shop {
  orders: Order[];
  /** Catalog entries of the items bought and of their complements, by `brandId:productId`. */
  products: Map<string, Product>;
  /** Brands whose marketing to the shopper is paused (they were upset, or said stop to everything): no upsell. */
  noUpsell: Set<number>;
}

const key = (brandId: number, productId: string) => `${brandId}:${productId}`;

/** Brands whose orders the shopper's own Confidant may show: those whose link the shopper confirmed. */
export async function linkedBrandIds(turn: Pick<Turn, 'tx' | 'person'>): Promise<number[]> {
  const r = await turn.tx.query(
    'SELECT DISTINCT brand_id FROM brand_customers WHERE person_id = $1 AND confirmed_at IS NOT NULL ORDER BY brand_id',
    [turn.person.id],
  );
  return r.rows.map((x) => Number(x.brand_id));
}

export async function loadShop(turn: Turn): Promise<Shop> {
  const brandIds = turn.brand ? [turn.brand.id] : await linkedBrandIds(turn);
  const orders = (await Promise.all(brandIds.map((b) => ordersOfPerson(turn.tx, turn.person.id, b, 30)))).flat();
  const products = new Map<string, Product>();
  const load = async (pairs: Array<[number, string]>) => {
    const missing = pairs.filter(([b, p]) => !products.has(key(b, p)));
    if (!missing.length) return;
    const r = await turn.tx.query(
      `SELECT brand_id AS "brandId", ${PRODUCT_COLUMNS} FROM products
       WHERE (brand_id, product_id) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`,
      [missing.map(([b]) => b), missing.map(([, p]) => p)],
    );
    for (const row of r.rows) {
      const { brandId, ...product } = row;
      products.set(key(Number(brandId), product.id), product);
    }
  };
  await load(orders.flatMap((o) => o.items.map((i) => [o.brandId, i.productId] as [number, string])));
  await load(
    orders.flatMap((o) =>
      o.items.flatMap((i) =>
        (products.get(key(o.brandId, i.productId))?.complements ?? []).map((c) => [o.brandId, c] as [number, string]),
      ),
    ),
  );
  const paused = await Promise.all(
    brandIds.map(async (b) => ((await contactState(turn.tx, turn.person.id, b)).marketingPaused ? b : null)),
  );
  return { orders, products, noUpsell: new Set(paused.filter((b): b is number => b !== null)) };
}

export const productOf = (shop: Shop, o: Order, productId: string) => shop.products.get(key(o.brandId, productId));

/** An item named as people remember it. */
export function itemName(shop: Shop, o: Order, i: OrderItem): string {
  const p = productOf(shop, o, i.productId);
  return shortName(p ?? { name: i.name });
}

export { liveItems };

/** "Philips Sonicare and 3 more items". */
export const orderItems = (shop: Shop, o: Order, items = liveItems(o)) =>
  itemsPhrase(items.length ? items : o.items, (i) => asItem(itemName(shop, o, i)));

export function isInFlight(o: Order): boolean {
  if (o.status !== 'placed' && o.status !== 'shipped') return false;
  if (liveItems(o).length === 0) return false;
  return o.shipments.length === 0 || o.shipments.some((s) => s.status !== 'delivered');
}

/** Words a shopper might call an item by: its name, its product's categories. */
function itemWords(shop: Shop, o: Order, i: OrderItem): Set<string> {
  const p = productOf(shop, o, i.productId);
  const text = [i.name, p?.name ?? '', ...(p?.categories ?? []), String(p?.attributes.brand ?? '')].join(' ');
  return new Set(requestWords(text).flatMap((w) => [w, singular(w)]));
}

/** The lines of an order the message names ("the toothbrush", "the sourdough"); empty when none. */
export function namedLines(shop: Shop, o: Order, text: string, items = o.items): number[] {
  const words = requestWords(text).filter(
    (w) => !/^(order|package|item|items|delivery|parcel|return|cancel|refund|track|tracking|shipment)$/.test(w),
  );
  if (!words.length) return [];
  return items
    .filter((i) => {
      const known = itemWords(shop, o, i);
      return words.some((w) => known.has(w));
    })
    .map((i) => i.lineNo);
}

/** Words of an order message that are about the order or the action, not an item ("my last order", "send it back"). */
const NOT_ITEMS = new Set(
  (
    'order orders package parcel item items delivery deliver delivered return returned returning cancel cancelled refund ' +
    'track tracking shipment purchase purchased stuff thing last latest recent first second week month year yesterday ' +
    'day days ago whole entire everything anymore longer back send sent ship shipped post mail money dont don just only ' +
    'keep except start please instead wrong mind changed box arrived came broken damaged defective fit fits work works ' +
    'working size small big large late early address option express pickup standard monday tuesday wednesday thursday ' +
    'friday saturday sunday tomorrow morning evening afternoon week-end weekend label reason possible still already ' +
    'exchange swap replace replacement store shop help able allowed sure okay come coming arrive arriving get time ' +
    'today tonight next other rest one ones anything something'
  ).split(' '),
);

/** The words of a message that could name an item ("the toothbrush" → toothbrush); empty when it names none. */
export function itemWordsIn(text: string): string[] {
  // An item is named after "the", "my", "this"...: "return the toothbrush", "cancel my coffee".
  const phrases = [
    ...text.matchAll(/\b(?:the|my|this|that|these|those|his|her|our)\s+((?:[a-z0-9'-]+\s+){0,2}[a-z0-9'-]+)/gi),
  ];
  return [...new Set(phrases.flatMap((m) => requestWords(m[1]).filter((w) => !NOT_ITEMS.has(w))))];
}

/**
 * A message that acts on some items and keeps others: "I don't want the sourdough anymore, just the coffee",
 * "cancel everything but keep the coffee". `act` names what to act on, `keep` what stays.
 */
export function splitKept(text: string): { act: string; keep: string } {
  const negative = /\b(don'?t|do not|no longer|not|never)\b.*?\b(want|need)\b|\bchanged my mind\b/i;
  const onlyAfter = /^(.*?)\b(?:just|only)\b(.*)$/i.exec(text);
  if (onlyAfter && negative.test(onlyAfter[1])) return { act: onlyAfter[1], keep: onlyAfter[2] };
  const keep = /^(.*?)\b(?:but keep|keep|except(?: for)?|apart from|other than|but not)\b(.*)$/i.exec(text);
  if (keep) return { act: keep[1], keep: keep[2] };
  return { act: text, keep: '' };
}

/** Order ids and tracking numbers the message names: its own orders by them, or a reference that is not theirs. */
export function orderReference(shop: Shop, text: string): { own?: Order; foreign?: string } {
  const tokens = text.match(/[A-Za-z0-9][A-Za-z0-9-]{2,}/g) ?? [];
  for (const t of tokens) {
    const own = shop.orders.find(
      (o) =>
        o.orderId.toLowerCase() === t.toLowerCase() ||
        o.shipments.some((s) => s.trackingNumber?.toLowerCase() === t.toLowerCase()),
    );
    if (own) return { own };
  }
  const m =
    /\b(?:order|tracking)\s*(?:number|no\.?|id|#)?\s*[#:]?\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]*)/i.exec(text) ??
    /#\s*([A-Za-z0-9-]*\d[A-Za-z0-9-]*)/.exec(text);
  return m ? { foreign: m[1] } : {};
}

/**
 * Orders most relevant first: one the message names, then those arriving soonest (out for delivery,
 * then by the end of their window), then those not shipped yet, newest first; finished orders last.
 */
export function rankOrders(shop: Shop, text: string, skip: Array<{ brandId: number; orderId: string }> = []): Order[] {
  const skipped = new Set(skip.map((s) => `${s.brandId}:${s.orderId}`));
  const stage = (o: Order) => {
    if (!isInFlight(o)) return 4;
    const s = o.shipments.find((x) => x.status !== 'delivered');
    if (s?.status === 'out_for_delivery') return 0;
    if (s) return 1;
    return 2;
  };
  const due = (o: Order) => o.shipments.find((x) => x.status !== 'delivered')?.windowEnd?.getTime() ?? Infinity;
  return shop.orders
    .filter((o) => !skipped.has(`${o.brandId}:${o.orderId}`))
    .map((o) => ({ o, named: namedLines(shop, o, text).length > 0 }))
    .sort(
      (a, b) =>
        Number(b.named) - Number(a.named) ||
        stage(a.o) - stage(b.o) ||
        due(a.o) - due(b.o) ||
        b.o.placedAt.getTime() - a.o.placedAt.getTime(),
    )
    .map((x) => x.o);
}

/**
 * A product that goes with what was bought (the catalog's complements), not already in the order, and one the rule
 * set lets this person be shown (a keto shopper is not offered a soup that is only vegetarian).
 */
export async function fittingAccessory(
  turn: Turn,
  shop: Shop,
  o: Order,
): Promise<{ product: Product; label: string } | null> {
  if (shop.noUpsell.has(o.brandId)) return null;
  const lead = leadItem(liveItems(o).length ? liveItems(o) : o.items);
  if (!lead) return null;
  const bought = productOf(shop, o, lead.productId);
  const inOrder = new Set(o.items.map((i) => i.productId));
  const candidates = (bought?.complements ?? [])
    .filter((id) => !inOrder.has(id))
    .map((id) => productOf(shop, o, id))
    .filter((c): c is Product => !!c?.inStock);
  if (!candidates.length) return null;
  const view = await turnView(turn, 'recommendations', 'chat:to_go_with_it');
  const rules = constraintsFrom(view.facts.filter((f) => !f.retiredUses.includes('recommendations')));
  const c = candidates.find((p) => mayShow(p, rules));
  return c ? { product: c, label: complementName(c, bought ?? { name: lead.name }) } : null;
}

/** "your Volt package" in the shopper's own Confidant (many brands), "your package" in a brand's chat. */
export function your(turn: Turn, o: Order, thing: string): string {
  return turn.brand ? `your ${thing}` : `your ${turn.brandName(o.brandId)} ${thing}`;
}
