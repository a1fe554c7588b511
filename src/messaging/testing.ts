/** Test helpers of the messaging room: a world with a brand, linked shoppers, a clock to move, and local receivers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mailbox } from '../testing/mailbox.js';
import { bearer, type TestSystem, testSystem } from '../testing/harness.js';
import { putGrant } from '../gatekeeper/testing.js';
import { setWebhook } from './webhooks.js';
import { closeMailTransports } from './channels/email.js';
import { deliverDue } from './outbox.js';

/** A local HTTP receiver: answers each request with the next status of `plan` (then 200), and keeps what came. */
export async function receiver(plan: number[] = []) {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: Buffer; status: number }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const status = plan.shift() ?? 200;
      got.push({ headers: req.headers, body: Buffer.concat(chunks), status });
      res.writeHead(status, { location: `/receipts/${got.length}` }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    plan,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely
type Json = Record<string, any>;

export interface MessagingWorld {
  sys: TestSystem;
  clock: { at: Date };
  mail: Awaited<ReturnType<typeof mailbox>>;
  hooks: Awaited<ReturnType<typeof receiver>>;
  brand: Awaited<ReturnType<TestSystem['brand']>>;
  webhookSecret: string;
  /** a shopper linked to the brand, optionally granting marketing contact */
  shopper(o?: { timeZone?: string; marketing?: boolean; email?: string | null; name?: string }): Promise<{
    id: string;
    pid: string;
    token: string;
    email: string;
  }>;
  post(body: object, headers?: Record<string, string>): Promise<{ status: number; json: Json }>;
  get(id: string): Promise<Json>;
  deliver(): Promise<number>;
  close(): Promise<void>;
}

export async function messagingWorld(start = new Date(), opts: { without?: string[] } = {}): Promise<MessagingWorld> {
  const clock = { at: start };
  // The tests deliver by hand (deliverDue) with the clock they move: the process's own outbox runner stays off (and
  // whatever else a test drives by hand, such as the job runner).
  const sys = await testSystem({ now: () => clock.at, without: ['outbox runner', ...(opts.without ?? [])] });
  const mail = await mailbox();
  const hooks = await receiver();
  process.env.SMTP_URL = mail.url;
  process.env.CONFIDANT_ALLOW_PRIVATE_URLS = '1';
  process.env.MESSAGING_RETRY_BASE_MS = '1000';
  const brand = await sys.brand('Volt');
  const { secret } = await setWebhook(sys.ctx.db, brand.id, `${hooks.url}/hooks`, false);
  let n = 0;
  return {
    sys,
    clock,
    mail,
    hooks,
    brand,
    webhookSecret: secret!,
    async shopper(o = {}) {
      const email = o.email === undefined ? `shopper${++n}-${Date.now()}@example.com` : o.email;
      const s = await sys.shopper({
        name: o.name ?? 'Karen',
        timeZone: o.timeZone ?? 'UTC',
        brands: [{ brand, customerId: `c-${n}-${Math.random()}` }],
        ...(email !== undefined ? { email } : {}),
      });
      if (o.marketing)
        await putGrant(sys, s.token, { brand: brand.slug, scopes: ['identity.contact'], purposes: ['marketing'] });
      return { id: s.person.id, pid: s.pids.get(brand.id)!, token: s.token, email: email ?? '' };
    },
    async post(body, headers = {}) {
      const r = await sys.app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { authorization: bearer(brand.secretKey), ...headers },
        payload: body,
      });
      return { status: r.statusCode, json: r.json() };
    },
    async get(id) {
      const r = await sys.app.inject({
        url: `/v1/messages/${id}`,
        headers: { authorization: bearer(brand.secretKey) },
      });
      return r.json();
    },
    deliver: () => deliverDue(sys.ctx),
    async close() {
      closeMailTransports();
      await mail.close();
      await hooks.close();
      await sys.close();
    },
  };
}
