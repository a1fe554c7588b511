/**
 * `npm run bench:chat`: full chat turns over loopback HTTP (understand, look up the shopper's orders or
 * record a stated fact, compose, store), against a throwaway embedded PostgreSQL and the real server in
 * its own process. Shoppers each have a package in flight; the load mixes order questions and statements.
 * Target: p99 < 50 ms.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import { benchSystem, fmt } from './lib.js';
import { createBrand } from '../src/brands/brands.js';
import { type ProductInput, upsertProducts } from '../src/catalog/catalog.js';
import { createPerson, issueToken, linkCustomer } from '../src/people/people.js';
import { grant } from '../src/gatekeeper/view.js';
import { type OrderInput, upsertOrders, upsertShipments, type ShipmentInput } from '../src/orders/orders.js';
import { atLocalTime } from '../src/time.js';
import { inTransaction } from '../src/db/pool.js';
import { SONICARE_AND_3_MORE } from '../src/conversation/chat-fixtures.js';

const SHOPPERS = Number(process.env.BENCH_SHOPPERS ?? 200);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,4,8').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const TARGET_P99_MS = 50;

/** What shoppers say: mostly order questions, with statements that write facts. */
const MESSAGES = [
  'When will my order arrive?',
  'where is my package',
  'send me the tracking link',
  'why was I charged twice?',
  'where is my refund?',
  'can it come on Saturday instead',
  "I'm doing keto now",
  'I wear a medium',
  'my dad loves fly fishing',
  'what do you know about me?',
];

const sys = await benchSystem();
try {
  const now = new Date();
  const volt = await createBrand(sys.db, 'Volt');
  const catalog: ProductInput[] = JSON.parse(fs.readFileSync('src/demo/data/volt.json', 'utf8'));
  const tokens: string[] = [];
  await inTransaction(sys.db, async (tx) => {
    await upsertProducts(tx, volt.id, catalog);
    const zones = ['America/New_York', 'America/Chicago', 'Europe/London', 'Europe/Berlin'];
    const orders: OrderInput[] = [];
    const shipments: ShipmentInput[] = [];
    for (let i = 0; i < SHOPPERS; i++) {
      const timeZone = zones[i % zones.length];
      const person = await createPerson(tx, {
        email: `shopper${i}@bench.example`,
        displayName: `Shopper ${i}`,
        timeZone,
      });
      await linkCustomer(tx, volt.id, `c-${i}`, person.id, now);
      await grant(tx, {
        personId: person.id,
        brandId: volt.id,
        scopes: ['profile.sizes', 'profile.diet', 'profile.likes', 'gifts'],
        purposes: ['service', 'recommendations'],
        how: 'page',
        explicit: true,
        at: now,
      });
      tokens.push(await issueToken(tx, person.id, 'bench', 1, now));
      orders.push({
        order_id: `V-${i}`,
        customer_id: `c-${i}`,
        placed_at: new Date(now.getTime() - 3 * 86400000).toISOString(),
        payment_method: 'Visa ending 4242',
        items: SONICARE_AND_3_MORE,
      });
      shipments.push({
        shipment_id: `SH-${i}`,
        order_id: `V-${i}`,
        carrier: 'UPS',
        service: 'UPS Ground',
        tracking_number: `1Z999AA1${String(i).padStart(10, '0')}`,
        tracking_url: `https://www.ups.com/track?tracknum=1Z999AA1${String(i).padStart(10, '0')}`,
        status: 'in_transit',
        window_start: atLocalTime(now, timeZone, 1, 9).toISOString(),
        window_end: atLocalTime(now, timeZone, 1, 19).toISOString(),
      });
    }
    await upsertOrders(tx, volt.id, orders);
    await upsertShipments(tx, volt.id, shipments);
  });

  const server = await sys.serve({ LOG_LEVEL: 'warn' });
  const url = `${server.url}/v1/conversations/volt/messages`;
  const post = async (token: string, text: string) => {
    const r = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    return { status: r.status, body: (await r.json()) as { reply: { text: string } } };
  };
  // The answer is the real one (and the understander is trained before the clock starts).
  const first = await post(tokens[0], 'When will my order arrive?');
  if (
    first.status !== 200 ||
    !/^Your package with Philips Sonicare and 3 more items will be delivered tomorrow by 7 PM via UPS Ground\./.test(
      first.body.reply.text,
    )
  ) {
    throw new Error(`unexpected answer: ${first.status} ${JSON.stringify(first.body)}`);
  }
  console.log(`  sample reply: "${first.body.reply.text}"`);

  let n = 0;
  const requests = [
    {
      setupRequest: (req: autocannon.Request) => {
        const i = n++;
        // Each request a shopper and a message; neighbouring requests land on different shoppers.
        const token = tokens[(i * 7919) % tokens.length];
        return {
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${token}` },
          body: JSON.stringify({ text: MESSAGES[i % MESSAGES.length] }),
        };
      },
    },
  ];
  console.log(
    `chat turns over loopback (${SHOPPERS} shoppers, ${SECONDS} s each; server in its own process, embedded PostgreSQL, all on ${(await import('node:os')).cpus().length} cores)`,
  );
  console.log(
    `  mix: ${MESSAGES.length} messages (order status, tracking, payment, refund, delivery change, stated facts, what-do-you-know)`,
  );
  // One shopper at a time, a few at once, and past saturation (more connections only queue).
  for (const connections of CONNECTIONS) {
    const base = { url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, connections };
    await autocannon({ ...base, duration: 3, requests }); // warm-up: JIT, pools, caches
    const r = await autocannon({ ...base, duration: SECONDS, requests });
    const verdict = r.latency.p99 < TARGET_P99_MS ? 'met' : 'MISSED';
    console.log(
      `  ${connections} connection${connections > 1 ? 's' : ''}: p50 ${r.latency.p50} ms, p90 ${r.latency.p90} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
        `${fmt(r.requests.average)} turns/s, errors ${r.errors + r.non2xx} (target p99 < ${TARGET_P99_MS} ms: ${verdict})`,
    );
    if (r.errors + r.non2xx > 0) process.exitCode = 1;
  }
  const turns = Number(
    (await sys.db.query(`SELECT count(*) FROM conversation_messages WHERE role = 'assistant'`)).rows[0].count,
  );
  const facts = Number((await sys.db.query(`SELECT count(*) FROM facts`)).rows[0].count);
  console.log(`  stored: ${fmt(turns)} assistant replies, ${fmt(facts)} facts; server RSS ${fmt(server.rssMb())} MB`);
} finally {
  await sys.stop();
}
