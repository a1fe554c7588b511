/**
 * `npm run bench:gatekeeper`: a brand's granted profile read, `GET /v1/people/{pid}/profile?purpose=recommendations`,
 * over loopback, each one resolving the pid, reading the grants and facts afresh and writing its audit entry.
 * Target: p99 under 10 ms. Each read commits its audit entry durably (fsync) before the answer goes out.
 */
import os from 'node:os';
import type autocannon from 'autocannon';
import { benchSystem, fmt, load } from './lib.js';
import { createBrand } from '../src/brands/brands.js';
import { createPerson, issueToken } from '../src/people/people.js';

const PEOPLE = 200;
/** One client for the latency of a read; several for throughput (the server then queues on the shared cores). */
const RUNS = [1, 8];
const FACTS: Array<{ kind: string; value: unknown; about?: string }> = [
  { kind: 'diet', value: 'keto' },
  { kind: 'like', value: 'fly fishing' },
  { kind: 'like', value: 'dark roast coffee' },
  { kind: 'dislike', value: 'spicy food' },
  { kind: 'size', value: { item: 'shirt', size: 'M' } },
  { kind: 'size', value: { item: 'shoes', size: '42' } },
  { kind: 'allergy', value: 'peanuts' },
  { about: 'dad', kind: 'date', value: { occasion: 'birthday', month: 6, day: 3 } },
];

const sys = await benchSystem();
try {
  const brand = await createBrand(sys.db, 'Bench Shop');
  const server = await sys.serve();
  const api = async (method: string, path: string, auth: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };

  // People as they come to be in real life: the brand asks to link, the person confirms, states facts and grants.
  const onePerson = async (i: number): Promise<string> => {
    const person = await createPerson(sys.db, { email: `bench-${i}@example.com` });
    const token = await issueToken(sys.db, person.id);
    const { code } = await api('POST', '/v1/people/link-requests', brand.secretKey, { customer_id: `cust-${i}` });
    await api('POST', `/v1/me/links/${code}`, token);
    for (const f of FACTS) await api('POST', '/v1/me/profile/facts', token, f);
    await api('PUT', '/v1/me/grants', token, { brand: brand.slug, scopes: 'all', purposes: ['recommendations'] });
    return (await api('GET', `/v1/people/link-requests/${code}`, brand.secretKey)).pid;
  };
  const pids: string[] = [];
  for (let i = 0; i < PEOPLE; i += 10)
    pids.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => onePerson(i + j)))));
  const sample = await api('GET', `/v1/people/${pids[0]}/profile?purpose=recommendations`, brand.secretKey);
  const audited = async () => Number((await sys.db.query('SELECT count(*) FROM audit_log')).rows[0].count);

  let n = 0;
  const opts = {
    url: `${server.url}/v1/people/${pids[0]}/profile?purpose=recommendations`,
    headers: { authorization: `Bearer ${brand.secretKey}` },
    requests: [
      {
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          path: `/v1/people/${pids[n++ % PEOPLE]}/profile?purpose=recommendations`,
        }),
      },
    ],
  };
  await load({ ...opts, duration: 2 }); // warm-up: JIT, pool, plans
  console.log(
    `gatekeeper over loopback (server in its own process, embedded PostgreSQL with fsync, ${os.cpus().length} cores shared with the load generator)`,
  );
  console.log(
    `  GET /v1/people/{pid}/profile?purpose=recommendations, ${PEOPLE} people, ${sample.facts.length} of ${FACTS.length} facts granted each (the allergy is not)`,
  );
  for (const connections of RUNS) {
    const before = await audited();
    const r = await load({ ...opts, connections });
    const written = (await audited()) - before;
    const target = connections === 1 ? ` (target < 10 ms: ${r.p99 < 10 ? 'met' : 'MISSED'})` : '';
    console.log(
      `  ${connections} connection${connections > 1 ? 's' : ''}: ${fmt(r.requestsPerSec)} reads/s, p50 ${r.p50} ms, p99 ${r.p99} ms${target}, errors ${r.errors + r.non2xx}, audit entries ${fmt(written)}`,
    );
  }
  console.log(
    `  load average during the run ${os.loadavg()[0].toFixed(1)}; server RSS ${fmt(server.rssMb())} MB; bench process heap ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MB`,
  );
} finally {
  await sys.stop();
}
