import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { testSystem, type TestSystem } from '../testing/harness.js';
import type { NewBrandKeys } from '../brands/brands.js';
import { importFile } from './import.js';
import type { AppError } from '../errors.js';

let sys: TestSystem;
let brand: NewBrandKeys;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confidant-import-'));
before(async () => {
  sys = await testSystem();
  brand = await sys.brand('Import Shop');
});
after(async () => {
  await sys.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, name.endsWith('.gz') ? zlib.gzipSync(text) : text);
  return p;
};
const count = async (table: string, brandId = brand.id) =>
  Number((await sys.ctx.db.query(`SELECT count(*) FROM ${table} WHERE brand_id = $1`, [brandId])).rows[0].count);
const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
function retailLines(n: number, from = 0) {
  const lines = [HEADER];
  for (let i = from; i < from + n; i++)
    lines.push(
      `${500000 + Math.floor(i / 4)},SKU${i % 50},PRODUCT ${i % 50},${1 + (i % 3)},2011-01-0${1 + (i % 9)} 10:00:00,1.25,${12000 + (Math.floor(i / 4) % 300)}.0,United Kingdom`,
    );
  return `${lines.join('\n')}\n`;
}

describe('imports', () => {
  test('an Online Retail CSV (gzip) becomes orders, items, customers and catalog entries', async () => {
    const file = write(
      'retail.csv.gz',
      retailLines(400) +
        `C600000,SKU1,PRODUCT 1,-1,2011-02-01 10:00:00,1.25,12001.0,United Kingdom\n999999,SKU2,GUEST LINE,1,2011-02-01 10:00:00,1,,United Kingdom\n`,
    );
    const r = await importFile(sys.ctx, brand.id, 'orders', file);
    assert.deepEqual({ lines: r.lines, stored: r.stored, skipped: r.skipped }, { lines: 402, stored: 101, skipped: 1 });
    assert.equal(await count('orders'), 101);
    assert.equal(await count('order_items'), 401);
    assert.equal(await count('products'), 50);
    const cancelled = await sys.ctx.db.query(`SELECT status FROM orders WHERE brand_id = $1 AND order_id = 'C600000'`, [
      brand.id,
    ]);
    assert.equal(cancelled.rows[0].status, 'cancelled');
    const customers = await importFile(sys.ctx, brand.id, 'customers', file);
    assert.equal(customers.stored, 100);
    const traits = await sys.ctx.db.query(
      `SELECT traits FROM brand_customers WHERE brand_id = $1 AND external_id = '12001'`,
      [brand.id],
    );
    assert.equal(traits.rows[0].traits.country, 'United Kingdom');
  });

  test('re-running the same file stores nothing twice', async () => {
    const file = path.join(dir, 'retail.csv.gz');
    const again = await importFile(sys.ctx, brand.id, 'orders', file);
    assert.equal(again.alreadyImported, true);
    assert.equal(await count('orders'), 101);
    assert.equal(await count('order_items'), 401);
  });

  test('a bad line in the middle stops the import with line and field, and nothing of the file is stored', async () => {
    const lines = retailLines(300, 10000).split('\n');
    lines[151] = lines[151].replace(/,\d+,2011/, ',lots,2011');
    const file = write('bad.csv', lines.join('\n'));
    const before = await count('order_items');
    await assert.rejects(importFile(sys.ctx, brand.id, 'orders', file), (err: AppError) => {
      assert.equal(err.code, 'validation_failed');
      assert.match(err.path ?? '', /^line 152: \/quantity/);
      return true;
    });
    assert.equal(await count('order_items'), before);
    const jsonl = write(
      'catalog.jsonl',
      [
        '{"id":"A","name":"Apron","price":20}',
        '{"id":"B","name":"Bowl","price":"cheap"}',
        '{"id":"C","name":"Cup"}',
      ].join('\n'),
    );
    await assert.rejects(
      importFile(sys.ctx, brand.id, 'catalog', jsonl),
      (err: AppError) => err.path === 'line 2: /price',
    );
    assert.equal(await count('products'), 50);
    const shipments = write('ship.csv', 'shipment_id,order_id,carrier\nS1,500000,UPS\nS2,NO-SUCH-ORDER,UPS\n');
    await assert.rejects(
      importFile(sys.ctx, brand.id, 'shipments', shipments),
      (err: AppError) => err.path === 'line 3/order_id',
    );
    assert.equal(await count('shipments'), 0);
  });

  test('events as JSON Lines use the Segment shape and dedupe by messageId', async () => {
    const file = write(
      'events.jsonl',
      [
        '{"type":"track","userId":"12001","event":"Product Viewed","messageId":"e1","properties":{"product_id":"SKU1"}}',
        '{"type":"identify","userId":"12001","messageId":"e2","traits":{"email":"a@example.com"}}',
        '{"type":"track","userId":"12001","event":"Product Viewed","messageId":"e1","properties":{"product_id":"SKU1"}}',
      ].join('\n'),
    );
    const r = await importFile(sys.ctx, brand.id, 'events', file);
    assert.equal(r.stored, 2);
  });

  test('kill -9 during an import leaves nothing half stored, and a re-run completes once', async () => {
    const other = await sys.brand('Crash Shop');
    const file = write('big.csv', retailLines(120000, 50000));
    const run = () =>
      spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'import', file, '--brand', other.slug, '--kind', 'orders'],
        {
          env: { ...process.env, DATABASE_URL: sys.url, LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    const child = run();
    // Wait until the import is writing inside its transaction, then kill it without warning.
    for (let i = 0; i < 600; i++) {
      const busy = await sys.ctx.db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO order_items%' AND pid <> pg_backend_pid()`,
      );
      if (busy.rowCount) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    // PostgreSQL rolls the dead session back once it notices the connection is gone.
    for (let i = 0; i < 100; i++) {
      const open = await sys.ctx.db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
      );
      const active = await sys.ctx.db.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT%' AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      if (!open.rowCount && !active.rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await count('orders', other.id), 0);
    assert.equal(await count('order_items', other.id), 0);
    assert.equal(await count('imports', other.id), 0);

    const again = run();
    let out = '';
    again.stdout!.on('data', (d) => (out += d));
    const code = await new Promise((r) => again.on('exit', r));
    assert.equal(code, 0, out);
    assert.match(out, /Imported 30000 orders from 120000 lines/);
    assert.equal(await count('order_items', other.id), 120000);
  });
});
