/**
 * A start that works anywhere, with real processes: from a private (0700) folder as root, again after the server was
 * killed with -9 (its PostgreSQL left running), with CLI commands using the running server's database, and with
 * the lines a person in a terminal reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pino from 'pino';
import { alive } from '../db/postmaster.js';
import { createBrand } from '../brands/brands.js';
import { configFromEnv, openSystem } from './start.js';
import { type ServerProcess, runCommand, startServerProcess, stopServerProcess } from '../testing/server-process.js';

// A private folder (mkdtemp makes it 0700), holding `.confidant` as a clone's folder would.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-anywhere-'));
const home = path.join(base, '.confidant');
// Where root's PostgreSQL keeps what its user must reach: a folder of this test's, not /var/lib/confidant.
const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-shared-'));
fs.chmodSync(shared, 0o755);
const env = { CONFIDANT_HOME: home, CONFIDANT_DEMO: '0', CONFIDANT_SHARED_DIR: shared };
let server: ServerProcess | undefined;

before(() => assert.equal(fs.statSync(base).mode & 0o777, 0o700));
after(async () => {
  if (server) await stopServerProcess(server).catch(() => server?.child.kill('SIGKILL'));
  fs.rmSync(base, { recursive: true, force: true });
  fs.rmSync(shared, { recursive: true, force: true });
});

const owner = () => JSON.parse(fs.readFileSync(path.join(home, 'postgres.json'), 'utf8'));
const track = (url: string, writeKey: string, messageId: string) =>
  fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ userId: 'u-1', event: 'Product Viewed', messageId }),
  });

describe('a start that works anywhere', () => {
  let writeKey = '';

  test('started (as root) from a 0700 folder, it listens; a CLI command uses its database, and says so', async () => {
    server = await startServerProcess(env);
    if (process.getuid?.() === 0)
      assert.match(
        server.log(),
        /Running as root: PostgreSQL runs as user postgres, which cannot reach .*; its data is in /,
      );
    assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { status: 'ok', database: 'embedded' });
    assert.equal(owner().http, server.url, 'the server wrote where it listens next to its database');

    // From a folder below the clone, with no CONFIDANT_HOME: the command finds `.confidant` above, like git.
    const below = path.join(base, 'some', 'folder');
    fs.mkdirSync(below, { recursive: true });
    const r = runCommand(
      ['brands', 'create', 'Live Shop'],
      { CONFIDANT_HOME: undefined, CONFIDANT_SHARED_DIR: shared },
      below,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^Created brand Live Shop \\(live-shop\\) in the running server's PostgreSQL in ${home} \\(${server.url}\\)\\.$`,
        'm',
      ),
    );
    writeKey = /write key:\s+(\S+)/.exec(r.stdout)![1];
    const res = await track(server.url, writeKey, 'm-1');
    assert.equal(res.status, 200, 'the running server knows the key the command made');
    assert.deepEqual(await res.json(), { received: 1, duplicates: 0 });
    assert.ok(alive(owner().postmasterPid), "the command left the server's PostgreSQL running");
  });

  test('without CONFIDANT_HOME and no database here or above, a command makes none and says what to do', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-nowhere-'));
    try {
      const r = runCommand(['brands', 'create', 'Lost Shop'], { CONFIDANT_HOME: undefined }, elsewhere);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /no Confidant database in .*\.confidant or a folder above: run this where you ran npm start/,
      );
      assert.equal(fs.existsSync(path.join(elsewhere, '.confidant')), false, 'no new, empty database');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('a second start on the same folder says it already runs, and leaves it running', async () => {
    await assert.rejects(
      startServerProcess(env),
      /Confidant already runs on .* \(process \d+, http:\/\/127\.0\.0\.1:\d+\); stop it first/,
    );
    assert.equal((await fetch(`${server!.url}/health`)).status, 200);
  });

  test('after kill -9 of the server, its PostgreSQL is left running; the next start stops it and starts afresh', async () => {
    const orphan = owner().postmasterPid as number;
    server!.child.kill('SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));
    assert.ok(alive(orphan), 'PostgreSQL outlives the node process killed with -9');

    server = await startServerProcess(env);
    assert.match(
      server.log(),
      new RegExp(`PostgreSQL \\(pid ${orphan}\\) was left running by a Confidant process that ended; stopping it`),
    );
    assert.equal(alive(orphan), false);
    const again = await track(server.url, writeKey, 'm-1');
    assert.deepEqual(await again.json(), { received: 1, duplicates: 1 }, 'what was stored before the kill is there');
    assert.equal(await stopServerProcess(server), 0, server.log());
    assert.equal(fs.existsSync(path.join(home, 'pg', 'postmaster.pid')), false, 'Ctrl-C stops PostgreSQL too');
    assert.equal(fs.existsSync(path.join(home, 'postgres.json')), false);
    server = await startServerProcess(env);
  });

  test('in a terminal: readable lines, then where to go and how to sign in; the sign-in link on a line of its own', async () => {
    assert.equal(await stopServerProcess(server!), 0);
    server = undefined;
    // `script` gives the server a pseudo-terminal, as a person's terminal does.
    const child = spawn(
      'script',
      ['-qfec', `${process.execPath} --import ${import.meta.resolve('tsx')} src/cli/main.ts start`, '/dev/null'],
      { env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const url = await until(
        () => /Confidant is listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1],
        () => out,
      );
      const lines = () => out.split(/\r?\n/);
      await until(
        () => lines().find((l) => l.startsWith('Open ')),
        () => out,
      );
      assert.match(
        out,
        new RegExp(
          `^Open ${url} and sign in with your e-mail address; the sign-in link is printed here\\. Ctrl-C stops it\\.`,
          'm',
        ),
      );
      await fetch(`${url}/v1/auth/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'pat@example.com' }),
      });
      const link = await until(
        () => lines().find((l) => /^http:\/\/\S+\/v1\/auth\/verify\?token=\S+$/.test(l)),
        () => out,
      );
      assert.equal(
        new URL(link).origin,
        url,
        'the link uses the address the server announced, so the cookie lands there',
      );
      assert.match((await (await fetch(link)).text()) ?? '', /Sign in as pat@example\.com\?/);
      assert.match(out, /INFO.*no SMTP_URL configured/, 'pretty log lines');
      assert.doesNotMatch(out, /"level":30/, 'not JSON in a terminal');
    } finally {
      child.stdin.write('\x03'); // Ctrl-C in the terminal
      await new Promise((r) => child.once('exit', r));
    }
  });

  test('not in a terminal: JSON log lines', async () => {
    server = await startServerProcess(env);
    assert.doesNotMatch(server.log(), /left running/, 'Ctrl-C in the terminal stopped PostgreSQL too');
    await fetch(`${server.url}/v1/auth/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kim@example.com' }),
    });
    const line = await until(
      () =>
        server!
          .log()
          .split('\n')
          .find((l) => l.startsWith('{') && l.includes('no SMTP_URL configured')),
      () => server!.log(),
    );
    assert.equal(JSON.parse(line).level, 30);
    assert.match(server.log(), /^http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/verify\?token=\S+$/m);
  });
});

describe('two commands at once on a folder without a server', () => {
  test("the second uses the first one's PostgreSQL, and the first stops it only when the second has finished", async () => {
    const cmdHome = path.join(base, 'commands', '.confidant');
    const config = { ...configFromEnv({ ...process.env, ...env, CONFIDANT_HOME: cmdHome }) };
    const said: string[] = [];
    // This test process is the first command: it starts the folder's PostgreSQL for itself.
    const first = await openSystem(config, pino({ level: 'silent' }), { role: 'command', say: (l) => said.push(l) });
    await createBrand(first.ctx.db, 'Two Shop', 'two-shop');
    const file = path.join(base, 'orders.csv');
    const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
    for (let i = 0; i < 20000; i++)
      lines.push(
        `${500000 + Math.floor(i / 4)},SKU${i % 50},PRODUCT ${i % 50},1,2011-01-02 10:00:00,1.25,${12000 + (i % 300)}.0,United Kingdom`,
      );
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const second = spawn(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        'src/cli/main.ts',
        'import',
        file,
        '--brand',
        'two-shop',
        '--kind',
        'orders',
      ],
      {
        env: { ...process.env, ...env, CONFIDANT_HOME: cmdHome, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    second.stdout.on('data', (d) => (out += d));
    second.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => second.once('exit', r));
    // Once the second command works in the database, the first one ends.
    await until(
      async () => {
        // More connections than this process's own: the second command's.
        const r = await first.ctx.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'confidant' AND backend_type = 'client backend'`,
        );
        return r.rows[0].n > first.ctx.db.totalCount ? true : undefined;
      },
      () => out,
      120_000,
    );
    await first.stop();
    assert.equal(await exited, 0, out);
    assert.match(
      out,
      new RegExp(
        `^Imported \\d+ orders from 20000 lines of .* into the running command \\(process ${process.pid}\\)'s PostgreSQL in ${cmdHome}`,
        'm',
      ),
    );
    assert.deepEqual(said.filter((l) => /Another confidant command/.test(l)).length, 1, said.join('\n'));
    assert.equal(fs.existsSync(path.join(cmdHome, 'postgres.json')), false, 'stopped after the second finished');
  });
});

/** Polls `get` until it answers (20 s at most, or `ms`). */
async function until<T>(
  get: () => T | undefined | Promise<T | undefined>,
  output: () => string,
  ms = 20_000,
): Promise<T> {
  for (let i = 0; i < ms / 50; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not seen in ${ms / 1000} s: ${output().slice(-3000)}`);
}
