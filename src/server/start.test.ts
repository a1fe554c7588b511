import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testSystem } from '../testing/harness.js';
import { startServerProcess, stopServerProcess } from '../testing/server-process.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-start-'));
fs.chmodSync(home, 0o755);
after(() => fs.rmSync(home, { recursive: true, force: true }));

const start = (env: Record<string, string>) => startServerProcess(env);
const stop = stopServerProcess;

describe('npm start', () => {
  test('a fresh start loads the demo world; a second start reuses it; Ctrl-C stops PostgreSQL too', async () => {
    const first = await start({ CONFIDANT_HOME: home });
    assert.match(first.log(), /Hearth & Home: \d+ orders from 431673 Online Retail lines/);
    const keys = JSON.parse(fs.readFileSync(path.join(home, 'demo-keys.json'), 'utf8'));
    assert.deepEqual(Object.keys(keys.brands).sort(), ['corner-deli', 'hearth-home', 'volt']);
    assert.ok(keys.shoppers.karen.token.startsWith('tok_'));
    assert.deepEqual(await (await fetch(`${first.url}/health`)).json(), { status: 'ok', database: 'embedded' });
    const volt = keys.brands.volt;
    const order = await (
      await fetch(`${first.url}/v1/orders/DEMO-V-1001`, { headers: { authorization: `Bearer ${volt.secretKey}` } })
    ).json();
    assert.equal(order.shipments[0].service, 'UPS Ground');
    assert.ok(new Date(order.shipments[0].windowEnd).getTime() > Date.now(), 'the demo order is still in flight');
    // Honest consent: the demo's grants say they are demo set-up, cover no special category, and a shop karen never
    // linked (Hearth & Home) has none and reads nothing.
    const grants = (
      await (
        await fetch(`${first.url}/v1/me/grants`, { headers: { authorization: `Bearer ${keys.shoppers.karen.token}` } })
      ).json()
    ).grants as Array<{ brand: { slug: string }; scope: string; how: string; explicit: boolean }>;
    assert.ok(grants.length > 0);
    assert.deepEqual([...new Set(grants.map((g) => `${g.how} ${g.explicit}`))], ['demo false']);
    assert.deepEqual([...new Set(grants.map((g) => g.brand.slug))].sort(), ['corner-deli', 'volt']);
    assert.ok(!grants.some((g) => ['profile.allergies', 'profile.budget', 'location.precise'].includes(g.scope)));
    const hh = keys.brands['hearth-home'];
    const seen = await fetch(`${first.url}/v1/people/${hh.pids.karen}/profile?purpose=recommendations`, {
      headers: { authorization: `Bearer ${hh.secretKey}` },
    });
    assert.deepEqual((await seen.json()).facts ?? [], []);
    const track = (url: string) =>
      fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${volt.writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: 'restart-check', event: 'Product Viewed', messageId: 'restart-1' }),
      }).then((r) => r.json());
    assert.deepEqual(await track(first.url), { received: 1, duplicates: 0 });
    assert.equal(await stop(first), 0, first.log().slice(-4000));
    assert.equal(fs.existsSync(path.join(home, 'pg', 'postmaster.pid')), false, 'PostgreSQL stopped with the server');

    const keysBefore = fs.readFileSync(path.join(home, 'demo-keys.json'), 'utf8');
    const second = await start({ CONFIDANT_HOME: home });
    assert.doesNotMatch(second.log(), /loading the demo world/);
    assert.deepEqual(
      await track(second.url),
      { received: 1, duplicates: 1 },
      'the event stored before the restart is still there',
    );
    assert.equal(fs.readFileSync(path.join(home, 'demo-keys.json'), 'utf8'), keysBefore);
    const again = await (
      await fetch(`${second.url}/v1/orders/DEMO-V-1001`, { headers: { authorization: `Bearer ${volt.secretKey}` } })
    ).json();
    assert.equal(again.items.length, 4);
    assert.equal(await stop(second), 0, second.log().slice(-4000));
  });

  test('CONFIDANT_WORKERS=2 serves from two processes on one port, and Ctrl-C stops them all', async () => {
    const sys = await testSystem();
    try {
      const s = await start({
        DATABASE_URL: sys.url,
        CONFIDANT_DEMO: '0',
        CONFIDANT_WORKERS: '2',
        CONFIDANT_HOME: path.join(home, 'unused'),
      });
      assert.match(s.log(), /2 server processes/);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => fetch(`${s.url}/health`).then((r) => r.json())),
      );
      for (const a of answers) assert.deepEqual(a, { status: 'ok', database: 'external' });
      assert.equal(await stop(s), 0, s.log());
      await assert.rejects(fetch(`${s.url}/health`), 'nothing listens after Ctrl-C');
    } finally {
      await sys.close();
    }
  });

  test('with DATABASE_URL it uses that server and starts none', async () => {
    const sys = await testSystem();
    try {
      const s = await start({ DATABASE_URL: sys.url, CONFIDANT_DEMO: '0', CONFIDANT_HOME: path.join(home, 'unused') });
      assert.deepEqual(await (await fetch(`${s.url}/health`)).json(), { status: 'ok', database: 'external' });
      assert.equal(fs.existsSync(path.join(home, 'unused', 'pg')), false);
      const code = await stop(s);
      assert.equal(code, 0, s.log());
    } finally {
      await sys.close();
    }
  });
});
