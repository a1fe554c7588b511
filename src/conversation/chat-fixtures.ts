/**
 * The chat tests' world, seeded like the demo: Volt (electronics with complements) and Corner Deli
 * (food with diet labels), Karen with a Volt package arriving tomorrow by 7 PM via UPS Ground and a
 * Corner Deli order not shipped yet, her dad with a bagel-and-coffee habit, and Bob, whose orders
 * Karen must never see. The clock is fixed: Tuesday 24 November 2026, 10 AM in New York.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { type NewBrandKeys, setPaymentMethods } from '../brands/index.js';
import { type ProductInput, upsertProducts } from '../catalog/index.js';
import { grant } from '../gatekeeper/index.js';
import { upsertOrders, upsertShipments } from '../orders/orders.js';
import { atLocalTime } from '../time.js';
import { bearer, testSystem, type TestSystem } from '../testing/harness.js';
import { replyProblems } from './compose.js';

export const NOW = new Date('2026-11-24T15:00:00Z');
/** Karen's Volt order, as in the demo: "your package with Philips Sonicare and 3 more items". */
export const SONICARE_AND_3_MORE = [
  {
    product_id: 'VOLT-SONICARE-6100',
    name: 'Philips Sonicare ProtectiveClean 6100 Electric Toothbrush',
    quantity: 1,
    unit_price: 129.99,
  },
  { product_id: 'VOLT-USBC-CABLE-2M', name: 'Anker USB-C to USB-C Cable (2 m, 100W)', quantity: 1, unit_price: 14.99 },
  { product_id: 'VOLT-POWERBANK-10K', name: 'Anker Nano Power Bank (10,000mAh, 30W)', quantity: 1, unit_price: 39.99 },
  { product_id: 'VOLT-ECHO-DOT', name: 'Amazon Echo Dot (5th Gen)', quantity: 1, unit_price: 49.99 },
];
const DAY = 86400000;
const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '../demo/data');
const catalog = (file: string): ProductInput[] => JSON.parse(fs.readFileSync(path.join(DATA, file), 'utf8'));

export interface ChatWorld {
  sys: TestSystem;
  volt: NewBrandKeys;
  deli: NewBrandKeys;
  karen: { id: string; token: string };
  dad: { id: string; token: string };
  bob: { id: string; token: string };
  /** Every reply the tests saw, each checked against the rules of every reply. */
  replies: string[];
  /** Moves the clock (it starts at NOW). */
  setNow(at: Date): void;
  say(token: string, where: string, text: string): Promise<ChatTurn>;
}

export interface ChatTurn {
  reply: { text: string; actions: Array<{ label: string; value: string }> };
  understood: { text: string; intent: string; confidence: number; facts: unknown[] };
  used_facts: Array<{
    id: string;
    about: string;
    kind: string;
    value: unknown;
    source: string;
    description: string;
    used_for?: string;
  }>;
}

const EVERYDAY = ['identity.name', 'profile.sizes', 'profile.diet', 'profile.likes', 'profile.dates', 'gifts'];

export async function chatWorld(): Promise<ChatWorld> {
  let clock = NOW;
  const sys = await testSystem({ now: () => clock });
  const db = sys.ctx.db;
  const volt = await sys.brand('Volt');
  const deli = await sys.brand('Corner Deli');
  await upsertProducts(db, volt.id, catalog('volt.json'));
  await upsertProducts(db, deli.id, catalog('corner-deli.json'));
  // As in the demo: how each shop takes payment.
  await setPaymentMethods(db, volt.id, ['Visa', 'Mastercard', 'American Express', 'PayPal', 'Apple Pay']);
  await setPaymentMethods(db, deli.id, ['Visa', 'Mastercard', 'Apple Pay', 'Google Pay', 'cash on pickup']);

  const k = await sys.shopper({
    name: 'Karen',
    timeZone: 'America/New_York',
    brands: [
      { brand: volt, customerId: 'volt-karen' },
      { brand: deli, customerId: 'deli-karen' },
    ],
  });
  const d = await sys.shopper({
    name: 'Frank (Dad)',
    timeZone: 'America/Chicago',
    brands: [{ brand: deli, customerId: 'deli-dad' }],
  });
  const b = await sys.shopper({
    name: 'Bob',
    timeZone: 'America/Los_Angeles',
    brands: [{ brand: volt, customerId: 'volt-bob' }],
  });
  // As in the demo, the shoppers said yes to everyday scopes for service and recommendations.
  for (const [person, brands] of [
    [k.person.id, [volt, deli]],
    [d.person.id, [deli]],
    [b.person.id, [volt]],
  ] as const)
    for (const brand of brands)
      await grant(db, {
        personId: person,
        brandId: brand.id,
        scopes: EVERYDAY,
        purposes: ['service', 'recommendations'],
        how: 'demo',
        explicit: false,
        at: NOW,
      });

  const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
  await upsertOrders(db, volt.id, [
    {
      order_id: 'V-1001',
      customer_id: 'volt-karen',
      placed_at: at(-3),
      payment_method: 'Visa ending 4242',
      items: SONICARE_AND_3_MORE,
    },
    {
      order_id: 'V-9001',
      customer_id: 'volt-bob',
      placed_at: at(-2),
      payment_method: 'Amex ending 1111',
      items: [
        { product_id: 'VOLT-VITAMIX-E310', name: 'Vitamix E310 Explorian Blender', quantity: 1, unit_price: 349.95 },
      ],
    },
  ]);
  await upsertShipments(db, volt.id, [
    {
      shipment_id: 'SH-1001',
      order_id: 'V-1001',
      carrier: 'UPS',
      service: 'UPS Ground',
      tracking_number: '1Z999AA10123456784',
      tracking_url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      status: 'in_transit',
      shipped_at: at(-1),
      window_start: atLocalTime(NOW, 'America/New_York', 1, 9).toISOString(),
      window_end: atLocalTime(NOW, 'America/New_York', 1, 19).toISOString(),
    },
    {
      shipment_id: 'SH-9001',
      order_id: 'V-9001',
      carrier: 'FedEx',
      service: 'FedEx Home Delivery',
      tracking_number: '777000111222',
      status: 'in_transit',
      window_end: at(2),
    },
  ]);
  await upsertOrders(db, deli.id, [
    {
      order_id: 'D-2001',
      customer_id: 'deli-karen',
      placed_at: at(0),
      payment_method: 'Mastercard ending 1881',
      items: [
        { product_id: 'CD-001', name: 'Sourdough Loaf', quantity: 1, unit_price: 6.5 },
        { product_id: 'CD-002', name: 'Colombian Ground Coffee (12 oz)', quantity: 1, unit_price: 12 },
      ],
    },
    // Dad's bagel and coffee, every morning for three weeks.
    ...Array.from({ length: 21 }, (_, i) => ({
      order_id: `D-DAD-${i + 2}`,
      customer_id: 'deli-dad',
      placed_at: at(-(i + 2)),
      status: 'delivered' as const,
      payment_method: 'Amex ending 3005',
      items: [
        { product_id: 'CD-008', name: 'Plain Bagel', quantity: 1, unit_price: 1.75 },
        { product_id: 'CD-002', name: 'Colombian Ground Coffee (12 oz)', quantity: 1, unit_price: 12 },
      ],
    })),
  ]);

  const replies: string[] = [];
  const world: ChatWorld = {
    sys,
    volt,
    deli,
    karen: { id: k.person.id, token: k.token },
    dad: { id: d.person.id, token: d.token },
    bob: { id: b.person.id, token: b.token },
    replies,
    setNow: (at) => {
      clock = at;
    },
    async say(token, where, text) {
      const r = await sys.app.inject({
        method: 'POST',
        url: `/v1/conversations/${where}/messages`,
        headers: { authorization: bearer(token) },
        payload: { text },
      });
      assert.equal(r.statusCode, 200, `"${text}" -> ${r.statusCode} ${r.body}`);
      const turn = r.json() as ChatTurn;
      assert.deepEqual(
        replyProblems(turn.reply.text),
        [],
        `the reply to "${text}" breaks the rules: ${turn.reply.text}`,
      );
      replies.push(turn.reply.text);
      // CHAT_TRACE=1 prints every exchange, to read the replies as a shopper would.
      if (process.env.CHAT_TRACE)
        console.log(
          `> ${text}\n  [${turn.understood.intent}] ${turn.reply.text}\n  ${turn.reply.actions.map((x) => x.label).join(' | ')}`,
        );
      return turn;
    },
  };
  return world;
}
