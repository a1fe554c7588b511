/**
 * How things are said to a shopper: products as people remember them, dates relative to their day,
 * money, carriers. Pure functions, so every answer words things the same way.
 */
import { localDate } from '../time.js';
import { MONTH_NAMES } from '../profile/index.js';
import type { Order, OrderItem, Shipment } from '../orders/orders.js';

/** What a reply needs to know about a product to name it. */
export interface Nameable {
  name: string;
  attributes?: Record<string, unknown>;
  categories?: string[];
}

// Words that follow a brand but are not a product line ("Incase Compact Sleeve", "Sony Wireless ...").
const GENERIC =
  /^(compact|hard|wireless|smart|personal|premium|rechargeable|super|fast|full|mini|everyday|classic|original|fresh|organic|new|travel|wall|portable|ultra|pro|plus|the|for|with|and)$/i;
// A product-line word: letters only, with some lower case (Sonicare, iPhone, ThinkPad; not XPS, USB-C, 6100).
const LINE_WORD = /^[A-Za-z][A-Za-z]*[a-z][A-Za-z]*$/;

/** "WHITE HANGING HEART T-LIGHT HOLDER" reads better as "White hanging heart t-light holder". */
export function unshout(s: string): string {
  if (s !== s.toUpperCase() || !/[A-Z]/.test(s)) return s;
  const lower = s.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/**
 * A product's name the way people remember it: the brand and its product line when the catalog has a
 * brand ("Philips Sonicare"), the brand and what it is when the next word is a model number ("Sony
 * headphones"), otherwise the name without sizes in brackets, cut to five words ("Colombian Ground Coffee").
 */
/** Reasons name the same products on every call. */
const shortNames = new WeakMap<Nameable, string>();

export function shortName(p: Nameable): string {
  let name = shortNames.get(p);
  if (name === undefined) shortNames.set(p, (name = shortNameOf(p)));
  return name;
}

function shortNameOf(p: Nameable): string {
  const plain =
    unshout(
      p.name
        .replace(/\s*\([^)]*\)/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ) || p.name;
  const brand = typeof p.attributes?.brand === 'string' ? (p.attributes.brand as string).trim() : '';
  if (brand && plain.toLowerCase().startsWith(`${brand.toLowerCase()} `)) {
    const next = plain.slice(brand.length + 1).split(' ')[0];
    if (LINE_WORD.test(next) && !GENERIC.test(next)) return `${brand} ${next}`;
    // "Anker USB-C to USB-C Cable" -> "Anker cable"; "Vitamix E310 Explorian Blender" -> "Vitamix blender".
    const last = plain.split(' ').pop() ?? '';
    const kind =
      /^[A-Za-z]{3,}$/.test(last) && !GENERIC.test(last)
        ? last.toLowerCase()
        : p.categories?.length
          ? singular(p.categories[p.categories.length - 1])
          : '';
    if (kind && kind !== 'accessory' && /^[a-z ]+$/.test(kind)) return `${brand} ${kind}`;
  }
  const words = plain.split(' ');
  return words.length <= 5
    ? plain
    : words
        .slice(0, 5)
        .join(' ')
        .replace(/[,&-]+$/, '')
        .trim();
}

/** What a complement is, next to the thing bought: "Philips Sonicare Travel Charger" after a Sonicare is "travel charger". */
export function complementName(complement: Nameable, bought: Nameable): string {
  const base = shortName(bought).toLowerCase();
  const name = complement.name.replace(/\s*\([^)]*\)/g, '').trim();
  if (name.toLowerCase().startsWith(`${base} `)) {
    const rest = name.slice(base.length + 1).trim();
    // Model names keep their capitals ("C3 premium brush heads"); plain words read as words.
    if (rest)
      return rest
        .split(' ')
        .map((w) => (/\d/.test(w) ? w : w.toLowerCase()))
        .join(' ');
  }
  return shortName(complement);
}

export function singular(word: string): string {
  const w = word.trim().toLowerCase();
  if (/(ches|shes|sses|xes)$/.test(w)) return w.slice(0, -2);
  if (/ies$/.test(w)) return `${w.slice(0, -3)}y`;
  if (/(ss|us)$/.test(w)) return w;
  if (/s$/.test(w) && !/(headphones|earbuds|pants|jeans|glasses)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** "the Vitamix blender" (a generic noun wants its article), "Philips Sonicare" (a name does not). */
export const asItem = (name: string) => (/\s[a-z][a-z-]*$/.test(name) ? `the ${name}` : name);

/** The item people remember an order by: the priciest line still in it, the first on a tie. */
export function leadItem(items: OrderItem[]): OrderItem | undefined {
  return items.reduce<OrderItem | undefined>(
    (best, i) => (!best || i.unitPrice * i.quantity > best.unitPrice * best.quantity ? i : best),
    undefined,
  );
}

/** "Philips Sonicare and 3 more items", "Sourdough Loaf", "Sourdough Loaf and 1 more item". */
export function itemsPhrase(items: OrderItem[], name: (i: OrderItem) => string): string {
  const lead = leadItem(items);
  if (!lead) return 'your items';
  const more = items.length - 1;
  return more <= 0 ? name(lead) : `${name(lead)} and ${more} more item${more === 1 ? '' : 's'}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Whole local days from `now` to `at` in the zone (0 today, 1 tomorrow, -1 yesterday). */
export function dayOffset(at: Date, now: Date, timeZone: string): number {
  const a = localDate(at, timeZone);
  const n = localDate(now, timeZone);
  return Math.round((Date.UTC(a.year, a.month - 1, a.day) - Date.UTC(n.year, n.month - 1, n.day)) / 86400000);
}

/** "today", "tomorrow", "yesterday", "on Friday" within a week, else "on June 3". */
export function dayPhrase(at: Date, now: Date, timeZone: string): string {
  const off = dayOffset(at, now, timeZone);
  if (off === 0) return 'today';
  if (off === 1) return 'tomorrow';
  if (off === -1) return 'yesterday';
  const d = localDate(at, timeZone);
  if (off > 1 && off < 7) return `on ${WEEKDAYS[d.weekday]}`;
  if (off < -1 && off > -7) return `last ${WEEKDAYS[d.weekday]}`;
  const year = localDate(now, timeZone).year === d.year ? '' : `, ${d.year}`;
  return `on ${MONTH_NAMES[d.month - 1]} ${d.day}${year}`;
}

/** "7 PM", "9:30 AM", "noon", "midnight" in the zone. */
export function clockPhrase(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')!.value);
  const m = Number(parts.find((p) => p.type === 'minute')!.value);
  if (m === 0 && h === 12) return 'noon';
  if (m === 0 && h === 0) return 'midnight';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${m ? `:${String(m).padStart(2, '0')}` : ''} ${h < 12 ? 'AM' : 'PM'}`;
}

/** "tomorrow by 7 PM". */
export const byPhrase = (at: Date, now: Date, timeZone: string) =>
  `${dayPhrase(at, now, timeZone)} by ${clockPhrase(at, timeZone)}`;

export function money(amount: number, currency = 'USD'): string {
  const symbol: Record<string, string> = { USD: '$', GBP: '£', EUR: '€', CAD: 'CA$', AUD: 'A$' };
  const n = Math.round(amount * 100) / 100;
  const text = Number.isInteger(n) ? String(n) : n.toFixed(2);
  return symbol[currency] ? `${symbol[currency]}${text}` : `${text} ${currency}`;
}

/** "UPS Ground" when the service names the carrier, "UPS" alone otherwise; a service is never said without its carrier. */
export function carrierPhrase(s: Pick<Shipment, 'carrier' | 'service'>): string {
  if (s.service?.toLowerCase().includes(s.carrier.toLowerCase())) return s.service;
  return s.carrier;
}

/** The shipment that matters for an order: the one on its way, else the latest. */
export function currentShipment(o: Order): Shipment | undefined {
  const live = o.shipments.filter((s) => s.status !== 'delivered');
  const pool = live.length ? live : o.shipments;
  return pool[pool.length - 1];
}

/** "A, B and C"; "A or B". */
export function list(items: string[], last = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
