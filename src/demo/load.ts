import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable } from '../db/pool.js';
import {
  brandBySlug,
  createBrand,
  rotateSecretKey,
  serverSetting,
  setPaymentMethods,
  setServerSetting,
} from '../brands/index.js';
import { type ProductInput, upsertProducts } from '../catalog/index.js';
import { type OrderInput, upsertOrders, upsertShipments } from '../orders/index.js';
import { claimPerson, createPerson, issueToken, linkCustomer, pseudonymFor } from '../people/index.js';
import { importFile } from '../ingest/index.js';
import { atLocalTime } from '../time.js';
import { grant } from '../gatekeeper/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ONLINE_RETAIL_FILE = path.join(ROOT, 'data/online-retail/transactions-2010-12-to-2011-10.csv.gz');
const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

export const DEMO_BRANDS = [
  { slug: 'hearth-home', name: 'Hearth & Home' },
  { slug: 'corner-deli', name: 'Corner Deli' },
  { slug: 'volt', name: 'Volt' },
] as const;

/** How each demo shop takes payment ("how do I pay?"). */
const DEMO_PAYMENT_METHODS: Record<string, string[]> = {
  'hearth-home': ['Visa', 'Mastercard', 'American Express', 'PayPal', 'Klarna'],
  'corner-deli': ['Visa', 'Mastercard', 'Apple Pay', 'Google Pay', 'cash on pickup'],
  volt: ['Visa', 'Mastercard', 'American Express', 'PayPal', 'Apple Pay'],
};

interface DemoShopper {
  handle: string;
  name: string;
  email: string;
  timeZone: string;
}
const SHOPPERS: DemoShopper[] = [
  { handle: 'karen', name: 'Karen', email: 'karen@example.com', timeZone: 'America/New_York' },
  { handle: 'dad', name: 'Frank (Dad)', email: 'frank@example.com', timeZone: 'America/Chicago' },
  { handle: 'maya', name: 'Maya', email: 'maya@example.com', timeZone: 'Europe/London' },
  { handle: 'tom', name: 'Tom', email: 'tom@example.com', timeZone: 'Europe/London' },
  { handle: 'lena', name: 'Lena', email: 'lena@example.com', timeZone: 'Europe/Berlin' },
];

export interface DemoKeys {
  brands: Record<
    string,
    { slug: string; name: string; writeKey: string; secretKey: string; pids: Record<string, string> }
  >;
  shoppers: Record<string, { name: string; email: string; token: string }>;
}

export function demoKeysPath(home: string) {
  return path.join(home, 'demo-keys.json');
}

export async function isDemoLoaded(db: Queryable): Promise<boolean> {
  return (await serverSetting(db, 'demo_loaded_at')) !== null;
}

/** What the demo set-up grants each shopper's linked shops: ordinary scopes only. */
export const DEMO_GRANT_SCOPES = [
  'identity.name',
  'profile.sizes',
  'profile.diet',
  'profile.likes',
  'profile.dates',
  'gifts',
] as const;

const DAY = 86400000;

/** The demo's orders still in flight are placed relative to now, so "when will it arrive" has a true answer any day. */
function inFlightOrders(now: Date, karenTz: string, dadTz: string, name: (id: string, fallback: string) => string) {
  const day = (n: number) => new Date(now.getTime() + n * DAY).toISOString();
  const orders: Array<{ brand: string; customer: string; order: OrderInput; shipment?: Record<string, string> }> = [
    {
      brand: 'volt',
      customer: 'volt-karen',
      order: {
        order_id: 'DEMO-V-1001',
        customer_id: 'volt-karen',
        placed_at: day(-3),
        status: 'shipped',
        payment_method: 'Visa ending 4242',
        items: [
          {
            product_id: 'VOLT-SONICARE-6100',
            name: name('VOLT-SONICARE-6100', 'Philips Sonicare ProtectiveClean 6100 Electric Toothbrush'),
            quantity: 1,
            unit_price: 129.99,
          },
          {
            product_id: 'VOLT-USBC-CABLE-2M',
            name: name('VOLT-USBC-CABLE-2M', 'USB-C Cable 2 m'),
            quantity: 1,
            unit_price: 14.99,
          },
          {
            product_id: 'VOLT-POWERBANK-10K',
            name: name('VOLT-POWERBANK-10K', 'Anker 10,000 mAh Power Bank'),
            quantity: 1,
            unit_price: 39.99,
          },
          {
            product_id: 'VOLT-ECHO-DOT',
            name: name('VOLT-ECHO-DOT', 'Amazon Echo Dot (5th Gen)'),
            quantity: 1,
            unit_price: 49.99,
          },
        ],
      },
      shipment: {
        shipment_id: 'DEMO-SH-V-1001',
        order_id: 'DEMO-V-1001',
        carrier: 'UPS',
        service: 'UPS Ground',
        tracking_number: '1Z999AA10123456784',
        tracking_url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
        status: 'in_transit',
        shipped_at: day(-1),
        window_start: atLocalTime(now, karenTz, 1, 9).toISOString(),
        window_end: atLocalTime(now, karenTz, 1, 19).toISOString(),
      },
    },
    {
      brand: 'corner-deli',
      customer: 'deli-karen',
      order: {
        order_id: 'DEMO-D-2001',
        customer_id: 'deli-karen',
        placed_at: day(0),
        status: 'placed',
        payment_method: 'Mastercard ending 1881',
        items: [
          { product_id: 'CD-001', name: name('CD-001', 'Sourdough Loaf'), quantity: 1, unit_price: 6.5 },
          { product_id: 'CD-002', name: name('CD-002', 'Ground Coffee'), quantity: 1, unit_price: 12 },
        ],
      },
    },
    {
      brand: 'corner-deli',
      customer: 'deli-dad',
      order: {
        order_id: 'DEMO-D-3001',
        customer_id: 'deli-dad',
        placed_at: day(-1),
        status: 'shipped',
        payment_method: 'Amex ending 3005',
        items: [{ product_id: 'CD-001', name: name('CD-001', 'Sourdough Loaf'), quantity: 2, unit_price: 6.5 }],
      },
      shipment: {
        shipment_id: 'DEMO-SH-D-3001',
        order_id: 'DEMO-D-3001',
        carrier: 'Corner Deli Courier',
        service: 'Local delivery',
        tracking_number: 'CD3001',
        status: 'out_for_delivery',
        shipped_at: day(0),
        window_start: atLocalTime(now, dadTz, 0, 17).toISOString(),
        window_end: atLocalTime(now, dadTz, 0, 20).toISOString(),
      },
    },
  ];
  return orders;
}

function readCatalog(file: string): ProductInput[] {
  return JSON.parse(fs.readFileSync(path.join(DATA, file), 'utf8'));
}

/** Demo order lines carry the catalog's own product names. */
function catalogNames(): (id: string, fallback: string) => string {
  const names = new Map([...readCatalog('corner-deli.json'), ...readCatalog('volt.json')].map((p) => [p.id, p.name]));
  return (id, fallback) => names.get(id) ?? fallback;
}

/**
 * Loads the demo world: three brands, their catalogs, Hearth & Home's real Online Retail history, and
 * demo shoppers linked across brands. Writes `<home>/demo-keys.json`. Safe to run again (nothing doubles).
 */
export async function loadDemo(
  ctx: AppContext,
  home: string,
  say: (line: string) => void = () => {},
): Promise<DemoKeys> {
  const now = ctx.now();
  const keys: DemoKeys = { brands: {}, shoppers: {} };
  const brandIds: Record<string, number> = {};
  for (const b of DEMO_BRANDS) {
    const existing = await brandBySlug(ctx.db, b.slug);
    if (existing) await setPaymentMethods(ctx.db, existing.id, DEMO_PAYMENT_METHODS[b.slug]);
    if (existing) {
      // Secret keys are stored hashed, so a reload issues a fresh one for the demo file.
      const secretKey = await rotateSecretKey(ctx.db, existing.id);
      keys.brands[b.slug] = { slug: b.slug, name: b.name, writeKey: existing.writeKey, secretKey, pids: {} };
      brandIds[b.slug] = existing.id;
    } else {
      const created = await createBrand(ctx.db, b.name, b.slug);
      keys.brands[b.slug] = {
        slug: b.slug,
        name: b.name,
        writeKey: created.writeKey,
        secretKey: created.secretKey,
        pids: {},
      };
      brandIds[b.slug] = created.id;
      await setPaymentMethods(ctx.db, created.id, DEMO_PAYMENT_METHODS[b.slug]);
    }
  }

  const deli = readCatalog('corner-deli.json');
  const volt = readCatalog('volt.json');
  await inTransaction(ctx.db, async (tx) => {
    await upsertProducts(tx, brandIds['corner-deli'], deli);
    await upsertProducts(tx, brandIds.volt, volt);
  });
  say(`catalogs: Corner Deli ${deli.length} products, Volt ${volt.length} products`);

  const retail = await importFile(ctx, brandIds['hearth-home'], 'orders', ONLINE_RETAIL_FILE, () => {}, {
    currency: 'GBP',
  });
  await importFile(ctx, brandIds['hearth-home'], 'customers', ONLINE_RETAIL_FILE);
  say(
    retail.alreadyImported
      ? 'Hearth & Home: Online Retail history already imported'
      : `Hearth & Home: ${retail.stored} orders from ${retail.lines} Online Retail lines (CC BY 4.0, UCI) in ${retail.seconds.toFixed(1)} s`,
  );

  await inTransaction(ctx.db, async (tx) => {
    // Real Hearth & Home customers with long histories become the demo shoppers there.
    const regulars = (
      await tx.query(
        `SELECT bc.external_id, bc.person_id FROM brand_customers bc JOIN orders o ON o.person_id = bc.person_id AND o.brand_id = bc.brand_id
         WHERE bc.brand_id = $1 AND bc.external_id !~ '^(anon:|volt-|deli-)' GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 20`,
        [brandIds['hearth-home']],
      )
    ).rows as Array<{ external_id: string; person_id: string }>;
    for (const [i, s] of SHOPPERS.entries()) {
      const existing = await tx.query('SELECT id FROM persons WHERE lower(email) = lower($1)', [s.email]);
      let personId: string = existing.rows[0]?.id;
      if (!personId) {
        // Hearth & Home's customer (if any) is the person: claiming their record keeps its history in place.
        const hh = s.handle === 'karen' ? undefined : regulars[i * 3];
        if (hh) {
          personId = hh.person_id;
          await claimPerson(tx, personId, { email: s.email, displayName: s.name, timeZone: s.timeZone });
          await linkCustomer(tx, brandIds['hearth-home'], hh.external_id, personId, now);
        } else {
          personId = (
            await createPerson(tx, { email: s.email, displayName: s.name, timeZone: s.timeZone, claimed: true })
          ).id;
        }
      }
      if (s.handle === 'karen' || s.handle === 'dad') {
        await linkCustomer(tx, brandIds['corner-deli'], `deli-${s.handle}`, personId, now);
        await linkCustomer(tx, brandIds.volt, `volt-${s.handle}`, personId, now);
      }
      // The demo is set up with everyday scopes for service and recommendations at the shops each shopper linked, and
      // says so: a demo set-up, not the shopper's explicit choice, so no special category (health, religion,
      // finances...) is covered; a shop they never linked gets nothing.
      const linked = await tx.query(
        'SELECT DISTINCT brand_id FROM brand_customers WHERE person_id = $1 AND confirmed_at IS NOT NULL',
        [personId],
      );
      for (const row of linked.rows) {
        await grant(tx, {
          personId,
          brandId: Number(row.brand_id),
          scopes: [...DEMO_GRANT_SCOPES],
          purposes: ['service', 'recommendations'],
          how: 'demo',
          explicit: false,
          at: now,
        });
      }
      keys.shoppers[s.handle] = {
        name: s.name,
        email: s.email,
        token: await issueToken(tx, personId, 'demo', 365, now),
      };
      for (const b of DEMO_BRANDS)
        keys.brands[b.slug].pids[s.handle] = await pseudonymFor(tx, ctx.secret, personId, brandIds[b.slug]);
    }

    // Dad's morning bagel and coffee at Corner Deli, every day for the last eight weeks.
    const bagel = deli.find((p) => /bagel/i.test(p.name)) ?? deli[0];
    const coffee = deli.find((p) => /coffee/i.test(p.name)) ?? deli[1];
    const habit: OrderInput[] = [];
    for (let d = 56; d >= 2; d--) {
      habit.push({
        order_id: `DEMO-D-DAD-${d}`,
        customer_id: 'deli-dad',
        placed_at: new Date(now.getTime() - d * DAY).toISOString(),
        status: 'delivered',
        payment_method: 'Amex ending 3005',
        items: [
          { product_id: bagel.id, name: bagel.name, quantity: 1, unit_price: bagel.price ?? 2.5 },
          { product_id: coffee.id, name: coffee.name, quantity: 1, unit_price: coffee.price ?? 3 },
        ],
      });
    }
    await upsertOrders(tx, brandIds['corner-deli'], habit);
  });
  await refreshDemo(ctx);
  await setServerSetting(ctx.db, 'demo_loaded_at', now.toISOString());

  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(demoKeysPath(home), `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  say(`demo keys and shopper tokens written to ${demoKeysPath(home)}`);
  return keys;
}

/** Moves the demo's in-flight orders to "now": placed days ago, arriving tomorrow, whatever today is. */
export async function refreshDemo(ctx: AppContext): Promise<number> {
  const now = ctx.now();
  const brands = Object.fromEntries(
    await Promise.all(DEMO_BRANDS.map(async (b) => [b.slug, (await brandBySlug(ctx.db, b.slug))?.id] as const)),
  );
  const tz = async (customer: string, brandId: number) =>
    (
      await ctx.db.query(
        'SELECT p.time_zone FROM brand_customers bc JOIN persons p ON p.id = bc.person_id WHERE bc.brand_id = $1 AND bc.external_id = $2',
        [brandId, customer],
      )
    ).rows[0]?.time_zone ?? 'UTC';
  if (!brands.volt || !brands['corner-deli']) return 0;
  const karenTz = await tz('volt-karen', brands.volt);
  const dadTz = await tz('deli-dad', brands['corner-deli']);
  const flights = inFlightOrders(now, karenTz, dadTz, catalogNames());
  await inTransaction(ctx.db, async (tx) => {
    for (const f of flights) {
      await upsertOrders(tx, brands[f.brand]!, [f.order]);
      if (f.shipment) await upsertShipments(tx, brands[f.brand]!, [f.shipment as never]);
    }
  });
  return flights.length;
}
