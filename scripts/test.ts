/**
 * `npm test`: one embedded PostgreSQL for the whole suite (or TEST_DATABASE_URL), a migrated template
 * database, then node's test runner over every `*.test.ts`; each test file clones the template.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { createPool } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import pino from 'pino';
import { ensureJobSchema } from '../src/jobs/jobs.js';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-test-'));
// As root, PostgreSQL runs as its own user, which must be able to enter the folder.
fs.chmodSync(home, 0o755);
let stop = async () => {};
let url = process.env.TEST_DATABASE_URL;
if (!url) {
  const pg = await startEmbeddedPostgres(path.join(home, 'pg'));
  url = pg.url;
  stop = pg.stop;
}
const admin = createPool(url, 2);
await admin.query('DROP DATABASE IF EXISTS confidant_template');
await admin.query('CREATE DATABASE confidant_template');
const template = createPool(url.replace(/\/[^/?]+(\?|$)/, '/confidant_template$1'), 2);
await migrate(template);
// Every test system runs the job runner (src/server/background.ts): its queue's schema is in the template once.
await ensureJobSchema({ db: template, log: pino({ level: 'silent' }) });
await template.end();
await admin.end();

const only = process.argv.slice(2);
const files = only.length ? only : testFiles('src').sort();
const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...files],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        CONFIDANT_TEST_DATABASE_URL: url,
        CONFIDANT_TEST_HOME: home,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      },
    },
  );
  child.on('exit', (c) => resolve(c ?? 1));
});
await stop();
fs.rmSync(home, { recursive: true, force: true });
process.exit(code);
