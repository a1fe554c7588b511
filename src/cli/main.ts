import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { configFromEnv, openSystem, startServer } from '../server/start.js';
import { createBrand, brandBySlug } from '../brands/brands.js';
import { IMPORT_KINDS, type ImportKind, importFile } from '../ingest/import.js';
import { loadDemo, refreshDemo } from '../demo/load.js';
import { AppError } from '../errors.js';

const quietLog = () => pino({ level: process.env.LOG_LEVEL ?? 'warn' });

/** Runs a command against the database and closes it, whatever happens. */
async function withSystem<T>(fn: (r: Awaited<ReturnType<typeof openSystem>>) => Promise<T>): Promise<T> {
  const running = await openSystem(configFromEnv(), quietLog());
  try {
    return await fn(running);
  } finally {
    await running.stop();
  }
}

const program = new Command('confidant').description('Confidant: a personalization engine the shopper owns');

program
  .command('start')
  .description('start the server (embedded PostgreSQL unless DATABASE_URL is set; demo world on first start)')
  .action(async () => {
    const running = await startServer(configFromEnv());
    const shutdown = async (signal: string) => {
      running.ctx.log.info(`${signal}: stopping`);
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });

const brands = program.command('brands').description('manage brands');
brands
  .command('create <name>')
  .option('--slug <slug>', 'URL name (default: from the name)')
  .description('create a brand and print its keys')
  .action(async (name: string, opts: { slug?: string }) => {
    const b = await withSystem(({ ctx }) => createBrand(ctx.db, name, opts.slug));
    console.log(`Created brand ${b.name} (${b.slug}).\n  write key:  ${b.writeKey}\n  secret key: ${b.secretKey}   (shown once; stored hashed)`);
  });

const demo = program.command('demo').description('the demo world');
demo
  .command('load')
  .description('load (or reload) the demo brands, catalogs, history and shoppers')
  .action(async () => {
    const config = configFromEnv();
    await withSystem(({ ctx }) => loadDemo(ctx, config.home, (line) => console.log(line)));
  });
demo
  .command('refresh')
  .description("move the demo's in-flight orders to today, so they are arriving tomorrow again")
  .action(async () => {
    const n = await withSystem(({ ctx }) => refreshDemo(ctx));
    console.log(`Refreshed ${n} in-flight demo orders relative to now.`);
  });

program
  .command('import <file>')
  .description('import a CSV or JSON Lines file (optionally gzipped), all or nothing')
  .requiredOption('--brand <slug>', 'the brand the data belongs to')
  .addOption(new Option('--kind <kind>', 'what the file holds').choices([...IMPORT_KINDS]).makeOptionMandatory())
  .option('--currency <code>', 'currency for prices without one')
  .action(async (file: string, opts: { brand: string; kind: ImportKind; currency?: string }) => {
    const bar = new cliProgress.SingleBar({ format: ' importing |{bar}| {percentage}% of the file', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    const r = await withSystem(async ({ ctx }) => {
      const brand = await brandBySlug(ctx.db, opts.brand);
      if (!brand) throw new AppError('not_found', `no brand "${opts.brand}"`);
      try {
        return await importFile(
          ctx,
          brand.id,
          opts.kind,
          file,
          (done, total) => {
            if (!process.stderr.isTTY) return;
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(done);
          },
          { currency: opts.currency },
        );
      } finally {
        if (started) bar.stop();
      }
    });
    console.log(
      r.alreadyImported
        ? `${file} was imported before: nothing stored again (${r.lines} lines checked).`
        : `Imported ${r.stored} ${r.kind} from ${r.lines} lines of ${file} in ${r.seconds.toFixed(1)} s${r.skipped ? ` (${r.skipped} lines without a customer skipped)` : ''}.`,
    );
  });

program.parseAsync().catch((err) => {
  if (err instanceof AppError) console.error(`error: ${err.path ? `${err.path}: ` : ''}${err.message}`);
  else console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
