/** `npm run bench:import`: lines/s importing the whole Online Retail file as orders and as customers. */
import pino from 'pino';
import { benchSystem, fmt } from './lib.js';
import { createBrand } from '../src/brands/brands.js';
import { importFile } from '../src/ingest/import.js';
import { ONLINE_RETAIL_FILE } from '../src/demo/load.js';
import type { AppContext } from '../src/context.js';

const sys = await benchSystem();
try {
  const ctx: AppContext = {
    db: sys.db,
    log: pino({ level: 'silent' }),
    secret: Buffer.from('bench'),
    now: () => new Date(),
    databaseKind: 'embedded',
    publicUrl: '',
  };
  const brand = await createBrand(sys.db, 'Bench Retail');
  const rssBefore = process.memoryUsage().rss;
  console.log(`importing ${ONLINE_RETAIL_FILE} (gzip CSV) into an embedded PostgreSQL`);
  for (const kind of ['orders', 'customers'] as const) {
    const r = await importFile(ctx, brand.id, kind, ONLINE_RETAIL_FILE, () => {}, { currency: 'GBP' });
    console.log(
      `  ${kind.padEnd(9)}: ${fmt(r.lines)} lines in ${r.seconds.toFixed(2)} s = ${fmt(r.lines / r.seconds)} lines/s` +
        `; ${fmt(r.stored)} ${kind} stored, ${fmt(r.skipped)} guest lines skipped`,
    );
  }
  const again = await importFile(ctx, brand.id, 'orders', ONLINE_RETAIL_FILE);
  console.log(
    `  re-run of the same file: ${again.alreadyImported ? 'recognised, nothing stored' : 'STORED AGAIN'} in ${again.seconds.toFixed(2)} s`,
  );
  const items = Number((await sys.db.query('SELECT count(*) FROM order_items')).rows[0].count);
  console.log(
    `  order lines in PostgreSQL: ${fmt(items)}; importer RSS grew ${fmt((process.memoryUsage().rss - rssBefore) / 2 ** 20)} MB`,
  );
} finally {
  await sys.stop();
}
