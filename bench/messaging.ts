/**
 * `npm run bench:messaging`: messages decided and delivered per second through every rule (consent with the
 * person's grant, channel, opt-outs, quiet hours, caps, the creepiness guard reading the gatekeeper, idempotency)
 * and the outbox, to a local SMTP server and webhook receiver (in a process of their own), beside the floor: the
 * same messages sent straight with nodemailer (same pooled SMTP settings) and a signed POST, in the same run.
 * Target: the rules and the outbox cost less than half of the floor's throughput. Then a run killed with kill -9
 * mid-way and restarted: every message delivered, none lost, each offered again only if it was in flight.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { benchSystem, fmt } from './lib.js';
import { createBrand } from '../src/brands/brands.js';
import { setWebhook } from '../src/messaging/index.js';
import { recordFacts } from '../src/profile/facts.js';
import { sendMessage, type SendInput } from '../src/messaging/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_MESSAGES ?? 4000);
const PEOPLE = N / 4; // two e-mails and two webhooks each: within the marketing caps of a day
const CONCURRENCY = 32;

const sys = await benchSystem();
const children: ChildProcess[] = [];
const forkTs = (file: string, env: Record<string, string> = {}) => {
  const c = fork(file, { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(c);
  return c;
};
const ask = <T>(c: ChildProcess, m: object) =>
  new Promise<T>((resolve) => {
    c.once('message', (x) => resolve(x as T));
    c.send(m);
  });
const cpuOf = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const pgCpu = () => {
  let s = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.includes('(postgres)')) s += cpuOf(Number(pid));
    } catch {}
  }
  return s;
};
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

try {
  const sink = forkTs(path.join(HERE, 'messaging-sink.ts'));
  const ports = await new Promise<{ smtp: number; http: number }>((r) => sink.once('message', (m) => r(m as never)));
  const smtpUrl = `smtp://127.0.0.1:${ports.smtp}`;
  const hookUrl = `http://127.0.0.1:${ports.http}/hooks`;
  process.env.SMTP_URL = smtpUrl;
  process.env.CONFIDANT_ALLOW_PRIVATE_URLS = '1';
  const counts = () => ask<{ mails: number; hooks: number }>(sink, { ask: 'counts' });

  const brand = await createBrand(sys.db, 'Volt');
  const { secret } = await setWebhook(sys.db, brand.id, hookUrl, false);
  const now = new Date();
  // The people, made in bulk (the setup is not what is measured): linked, granted marketing contact and their likes.
  const made = await sys.db.query(
    `INSERT INTO persons (email, display_name, time_zone, claimed)
     SELECT 'bench-' || g || '@example.com', 'Shopper ' || g, 'UTC', true FROM generate_series(1, $1) g RETURNING id`,
    [PEOPLE],
  );
  const people: string[] = made.rows.map((r) => r.id);
  await sys.db.query(
    `INSERT INTO brand_customers (brand_id, external_id, person_id, confirmed_at)
     SELECT $1, 'c-' || p, p, now() FROM unnest($2::uuid[]) p`,
    [brand.id, people],
  );
  for (const scope of ['identity.contact', 'profile.likes'])
    await sys.db.query(
      `INSERT INTO grants (person_id, brand_id, scope, purpose, granted_at, how, explicit)
       SELECT p, $1, $3, 'marketing', now(), 'page', true FROM unnest($2::uuid[]) p`,
      [brand.id, people, scope],
    );
  // Quiet hours off, so the bench measures sending at any hour it is run.
  await sys.db.query(
    `INSERT INTO contact_settings (person_id, quiet_start, quiet_end, updated_at) SELECT p, 0, 0, now() FROM unnest($1::uuid[]) p`,
    [people],
  );
  let made2 = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (made2 < people.length) {
        const id = people[made2++];
        await recordFacts(sys.db, id, [{ about: 'self', kind: 'like', value: 'fly fishing', polarity: 'positive' }], {
          source: 'stated',
          confidence: 1,
          at: now,
        });
      }
    }),
  );
  console.error(`# ${PEOPLE} people ready`);
  const messages: SendInput[] = people.flatMap((personId, i) =>
    (['email', 'webhook', 'email', 'webhook'] as const).map((channel, j) => ({
      brandId: brand.id,
      personId,
      purpose: 'marketing' as const,
      channel,
      // Half reference a fact: the guard reads the brand's view through the gatekeeper (an audited read).
      template:
        j < 2
          ? {
              subject: 'New at Volt',
              variants: ['You like {{fact.like}}: new fly boxes are in', 'New fly boxes are in'],
            }
          : { subject: 'New at Volt', variants: ['Our autumn sale starts today'] },
      idempotencyKey: `bench-${i}-${j}`,
    })),
  );

  // The floor: the same messages straight to the same receivers, no rules, no outbox.
  const transport = nodemailer.createTransport(`${smtpUrl}?pool=true&maxConnections=8`);
  const hook = new Webhook(secret!);
  let next = 0;
  const s0 = { self: selfCpu(), sink: cpuOf(sink.pid!), pg: pgCpu(), t: performance.now() };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < messages.length) {
        const m = messages[next++];
        const id = `floor-${next}`;
        const text = m.template!.variants.at(-1)!;
        if (m.channel === 'email')
          await transport.sendMail({
            from: 'Volt via Confidant <no-reply@confidant.local>',
            to: `x${next}@example.com`,
            subject: 'New at Volt',
            text,
            messageId: `<${id}@confidant>`,
          });
        else {
          const body = JSON.stringify({ type: 'message.send', timestamp: new Date().toISOString(), data: { text } });
          const at = new Date();
          const r = await fetch(hookUrl, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': hook.sign(id, at, body),
            },
            body,
          });
          await r.arrayBuffer();
        }
      }
    }),
  );
  const floorSeconds = (performance.now() - s0.t) / 1000;
  const floorCpu = { self: selfCpu() - s0.self, sink: cpuOf(sink.pid!) - s0.sink, pg: pgCpu() - s0.pg };
  transport.close();
  console.error(`# floor: ${fmt(N / floorSeconds)} messages/s`);
  await ask(sink, { ask: 'reset' });

  // Ours: decisions here (what POST /v1/messages runs), delivery by an outbox runner in its own process.
  const runnerFile = path.join(HERE, '..', 'src', 'messaging', 'runner-process.ts');
  const startRunner = async () => {
    const c = forkTs(runnerFile, {
      DATABASE_URL: sys.databaseUrl,
      MESSAGING_LEASE_MS: '2000',
      RUNNER_CONCURRENCY: String(CONCURRENCY),
    });
    await new Promise((r) => c.once('message', r));
    return c;
  };
  let runner = await startRunner();
  const r0 = { self: selfCpu(), sink: cpuOf(sink.pid!), runner: cpuOf(runner.pid!), pg: pgCpu(), t: performance.now() };
  const decisions: number[] = [];
  const states: Record<string, number> = {};
  next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < messages.length) {
        const m = messages[next++];
        const t = performance.now();
        const a = await sendMessage(sys.db, m, new Date());
        decisions.push(performance.now() - t);
        states[a.state] = (states[a.state] ?? 0) + 1;
      }
    }),
  );
  const decidedAt = performance.now();
  console.error(`# decided ${N} in ${fmt((decidedAt - r0.t) / 1000, 1)} s`);
  for (;;) {
    const c = await counts();
    if (c.mails + c.hooks >= N) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const oursSeconds = (performance.now() - r0.t) / 1000;
  const oursCpu = {
    self: selfCpu() - r0.self,
    runner: cpuOf(runner.pid!) - r0.runner,
    sink: cpuOf(sink.pid!) - r0.sink,
    pg: pgCpu() - r0.pg,
  };
  const runnerRss = rssMb(runner.pid!);
  decisions.sort((a, b) => a - b);
  const pct = (q: number) => decisions[Math.min(decisions.length - 1, Math.floor(q * decisions.length))];
  const ids = await ask<{ mails: string[]; hooks: string[] }>(sink, { ask: 'ids' });
  const dupes = N - new Set([...ids.mails, ...ids.hooks]).size;
  console.error(`# ours: ${fmt(N / oursSeconds)} messages/s`);

  // kill -9 mid-run: the same people, order updates (transactional, exempt from caps), the runner killed a third in.
  await ask(sink, { ask: 'reset' });
  runner.kill('SIGTERM');
  await new Promise((r) => runner.once('exit', r));
  const crash: string[] = [];
  for (const [i, personId] of people.entries())
    for (const channel of ['email', 'webhook'] as const) {
      const a = await sendMessage(
        sys.db,
        { brandId: brand.id, personId, purpose: 'transactional', channel, text: `Your order ${i} shipped` },
        new Date(),
      );
      crash.push(a.id);
    }
  runner = await startRunner();
  for (;;) {
    const c = await counts();
    if (c.mails + c.hooks >= crash.length / 3) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  runner.kill('SIGKILL');
  await new Promise((r) => runner.once('exit', r));
  const atKill = await counts();
  runner = await startRunner();
  for (;;) {
    const r = await sys.db.query(
      `SELECT count(*)::int AS n FROM messages WHERE purpose = 'transactional' AND state = 'sent'`,
    );
    if (r.rows[0].n >= crash.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 200));
  const after = await ask<{ mails: string[]; hooks: string[] }>(sink, { ask: 'ids' });
  const got = [
    ...after.mails.map((m) => m.replace(/@confidant$/, '')),
    ...after.hooks.map((h) => h.replace(/^msg_/, '')),
  ];
  const distinct = new Set(got);
  const lost = crash.filter((id) => !distinct.has(id)).length;

  const per = (cpu: Record<string, number>, n: number) =>
    Object.entries(cpu)
      .map(([k, v]) => `${k} ${fmt((v * 1000) / n, 2)}`)
      .join(', ');
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
  const floorRate = N / floorSeconds;
  const oursRate = N / oursSeconds;
  console.log(
    `messaging: ${fmt(N)} marketing messages (half e-mail, half webhook; half referencing a fact) to ${fmt(PEOPLE)} people`,
  );
  console.log(
    `  floor (nodemailer + signed POST, straight): ${fmt(floorRate)} messages/s; CPU ms/message: ${per(floorCpu, N)} (total ${fmt((total(floorCpu) * 1000) / N, 2)})`,
  );
  console.log(
    `  through the rules and the outbox:          ${fmt(oursRate)} messages/s (${fmt((oursRate / floorRate) * 100)}% of the floor; target > 50%)`,
  );
  console.log(
    `    decided in ${fmt((decidedAt - r0.t) / 1000, 2)} s: ${JSON.stringify(states)}; decision p50 ${fmt(pct(0.5), 1)} ms, p99 ${fmt(pct(0.99), 1)} ms (16 at a time)`,
  );
  console.log(
    `    CPU ms/message: ${per(oursCpu, N)} (total ${fmt((total(oursCpu) * 1000) / N, 2)}); runner RSS ${fmt(runnerRss)} MB, this process ${fmt(process.memoryUsage().rss / 1048576)} MB`,
  );
  console.log(`    duplicates at the receivers: ${dupes}`);
  console.log(
    `  kill -9 a third of the way through ${fmt(crash.length)} order updates (${atKill.mails + atKill.hooks} delivered at the kill), restarted:`,
  );
  console.log(
    `    ${fmt(distinct.size)} distinct delivered, ${lost} lost, ${got.length - distinct.size} offered again with the same id (in flight at the kill)`,
  );
  if (lost > 0 || dupes > 0) process.exitCode = 1;
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sys.stop();
}
