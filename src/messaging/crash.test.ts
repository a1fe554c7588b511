/**
 * kill -9 in the middle of a batch of thousands: the outbox runs in a child process that is killed mid-delivery and
 * replaced. Counting what the local SMTP server and webhook receiver got: every message once (by its Message-ID or
 * webhook-id, which stay the same when a send whose outcome died with the process is offered again), none lost.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendMessage } from './send.js';
import { messagingWorld, type MessagingWorld } from './testing.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEOPLE = 150;
const EACH = 10;
const TOTAL = PEOPLE * EACH;

let w: MessagingWorld;
before(async () => {
  w = await messagingWorld();
});
after(async () => {
  await w.close();
});

function runner(): Promise<ChildProcess> {
  const child = fork(path.join(HERE, 'runner-process.ts'), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: w.sys.url, MESSAGING_LEASE_MS: '1500', RUNNER_POOL: '10' },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the runner exited with ${code}`)));
  });
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test(`kill -9 mid-run: ${TOTAL} messages to SMTP and a webhook receiver, each once, none lost`, async () => {
  const ids: Array<{ id: string; channel: string }> = [];
  let next = 0;
  const onePerson = async (p: number) => {
    const s = await w.shopper();
    await w.sys.ctx.db.query(
      `INSERT INTO contact_settings (person_id, quiet_start, quiet_end, updated_at) VALUES ($1, 0, 0, now())`,
      [s.id],
    );
    for (let i = 0; i < EACH; i++) {
      const channel = i % 2 ? 'webhook' : 'email';
      const a = await sendMessage(
        w.sys.ctx.db,
        { brandId: w.brand.id, personId: s.id, purpose: 'transactional', channel, text: `Update ${p}-${i}` },
        new Date(),
      );
      assert.equal(a.state, 'queued');
      ids.push({ id: a.id, channel });
    }
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < PEOPLE) await onePerson(next++);
    }),
  );
  const got = () => w.mail.mails.length + w.hooks.got.length;
  const first = await runner();
  await until('a third delivered', () => got() >= TOTAL / 3);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = got();
  assert.ok(atKill < TOTAL, `killed mid-run (${atKill} of ${TOTAL} delivered)`);
  const second = await runner();
  try {
    await until('every message sent', async () => {
      const r = await w.sys.ctx.db.query(
        `SELECT count(*)::int AS n FROM messages WHERE brand_id = $1 AND state = 'sent'`,
        [w.brand.id],
      );
      return r.rows[0].n === TOTAL;
    });
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
  const mailIds = w.mail.mails.map((m) => /Message-ID: <([0-9a-f-]{36})@confidant>/i.exec(m.raw)?.[1]);
  const hookIds = w.hooks.got
    .filter((g) => g.status === 200)
    .map((g) => String(g.headers['webhook-id']).replace(/^msg_/, ''));
  const want = (channel: string) => new Set(ids.filter((x) => x.channel === channel).map((x) => x.id));
  assert.deepEqual(new Set(mailIds), want('email'), 'every e-mail arrived, none lost');
  assert.deepEqual(new Set(hookIds), want('webhook'), 'every webhook arrived, none lost');
  const offeredAgain = mailIds.length + hookIds.length - TOTAL;
  console.log(
    `# kill -9 after ${atKill} of ${TOTAL}: ${TOTAL} distinct delivered, ${offeredAgain} offered again with the same id (in flight at the kill)`,
  );
  assert.ok(offeredAgain <= 64, 'only sends in flight at the kill are offered again');
  const states = await w.sys.ctx.db.query(
    `SELECT state, count(*)::int AS n FROM messages WHERE brand_id = $1 GROUP BY state`,
    [w.brand.id],
  );
  assert.deepEqual(states.rows, [{ state: 'sent', n: TOTAL }]);
});
