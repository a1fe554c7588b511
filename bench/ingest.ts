/** `npm run bench:ingest`: Segment-style tracking throughput over loopback, batched (100 a call) and single. */
import { benchSystem, cpuSnapshot, cpuUsed, fmt, load } from './lib.js';
import { createBrand } from '../src/brands/brands.js';

const sys = await benchSystem();
try {
  const brand = await createBrand(sys.db, 'Bench Shop');
  const server = await sys.serve();
  const auth = `Basic ${Buffer.from(`${brand.writeKey}:`).toString('base64')}`;
  const headers = { authorization: auth, 'content-type': 'application/json' };
  let seq = 0;
  const event = () => {
    const n = seq++;
    return {
      userId: `user-${n % 5000}`,
      event: n % 10 === 0 ? 'Product Added' : 'Product Viewed',
      messageId: `m-${n}`,
      timestamp: new Date().toISOString(),
      properties: { product_id: `SKU-${n % 2000}`, price: 9.99, currency: 'USD' },
      context: { ip: '127.0.0.1', userAgent: 'bench' },
    };
  };

  // Warm up the JIT and the connection pool.
  await load({
    url: `${server.url}/v1/track`,
    method: 'POST',
    headers,
    duration: 2,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(event()) }) }],
  });

  const cpu0 = cpuSnapshot(server.child.pid!);
  const batched = await load({
    url: `${server.url}/v1/batch`,
    method: 'POST',
    headers,
    connections: 8,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ batch: Array.from({ length: 100 }, () => ({ type: 'track', ...event() })) }),
        }),
      },
    ],
  });
  const cpu = cpuUsed(cpu0, cpuSnapshot(server.child.pid!));
  const perEvent = (seconds: number) => `${fmt((seconds * 1e6) / (batched.requests * 100))} µs`;
  const single = await load({
    url: `${server.url}/v1/track`,
    method: 'POST',
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(event()) }) }],
  });
  const stored = Number((await sys.db.query('SELECT count(*) FROM events')).rows[0].count);

  console.log(
    'ingest over loopback (server in its own process, embedded PostgreSQL, 2 cores shared with the load generator)',
  );
  console.log(
    `  /v1/batch (100 events a call): ${fmt(batched.requestsPerSec * 100)} events/s, ${fmt(batched.requestsPerSec)} calls/s, p50 ${batched.p50} ms, p99 ${batched.p99} ms, errors ${batched.errors + batched.non2xx}`,
  );
  console.log(
    `    CPU per batched event: server ${perEvent(cpu.server)}, PostgreSQL ${perEvent(cpu.postgres)}, load generator ${perEvent(cpu.loadGenerator)}`,
  );
  console.log(
    `  /v1/track (single events):     ${fmt(single.requestsPerSec)} events/s, p50 ${single.p50} ms, p99 ${single.p99} ms, errors ${single.errors + single.non2xx}`,
  );
  console.log(`  batched/single throughput ratio: ${fmt((batched.requestsPerSec * 100) / single.requestsPerSec, 1)}x`);
  console.log(`  events committed: ${fmt(stored)}; server RSS ${fmt(server.rssMb())} MB`);
} finally {
  await sys.stop();
}
