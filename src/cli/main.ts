import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { type Running, configFromEnv, openSystem, startCluster, startServer } from '../server/start.js';
import { createBrand, brandBySlug } from '../brands/brands.js';
import { IMPORT_KINDS, type ImportKind, importFile } from '../ingest/import.js';
import { loadDemo, refreshDemo } from '../demo/load.js';
import { AppError } from '../errors.js';
import { distributionStatements } from '../db/citus.js';
import { runUnderstandCli } from '../conversation/understand/cli.js';
import { runRecommendOffline } from '../recommend/offline.js';
import { inviteToConsole } from '../web/console/invite.js';

const quietLog = () => pino({ level: process.env.LOG_LEVEL ?? 'warn' });

/**
 * Runs a command against the database and closes it, whatever happens. With a server running on the same folder,
 * the command uses that server's PostgreSQL (it never starts a second one on one data folder). Without
 * CONFIDANT_HOME it looks for `.confidant` here and in the folders above, and never silently makes a new, empty
 * database there: `fn` gets the words naming the database, for the one line every command prints.
 */
async function withSystem<T>(fn: (r: Running, database: string) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  const fresh =
    !config.databaseUrl &&
    !fs.existsSync(path.join(config.home, 'pg', 'PG_VERSION')) &&
    !fs.existsSync(path.join(config.home, 'postgres.json'));
  if (fresh && config.homeFrom === 'default')
    throw new Error(
      `no Confidant database in ${config.home} or a folder above: run this where you ran npm start (or below it), or set CONFIDANT_HOME to the folder to use (a new one is made there), or DATABASE_URL`,
    );
  const running = await openSystem(config, quietLog(), { role: 'command', say: (line) => console.error(line) });
  try {
    return await fn(running, fresh ? `${running.database} (new, made now)` : running.database);
  } finally {
    await running.stop();
  }
}

const program = new Command('confidant').description('Confidant: a personalization engine the shopper owns');

program
  .command('start')
  .description('start the server (embedded PostgreSQL unless DATABASE_URL is set; demo world on first start)')
  .action(async () => {
    const config = configFromEnv();
    const workers = Number(process.env.CONFIDANT_WORKERS ?? 1);
    if (!Number.isInteger(workers) || workers < 1)
      throw new Error(`CONFIDANT_WORKERS must be a whole number of processes, got "${process.env.CONFIDANT_WORKERS}"`);
    // A worker of a cluster tells the primary where it listens instead of printing it.
    const running = cluster.isWorker
      ? await startServer(config, (port) => process.send!({ listening: port }))
      : workers > 1
        ? await startCluster(config, workers)
        : await startServer(config);
    const shutdown = async () => {
      await running.stop();
      process.exit(0);
    };
    // We stop everything ourselves (the server, then PostgreSQL) and exit 0.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.on('SIGINT', () => void shutdown());
    process.on('SIGTERM', () => void shutdown());
  });

const brands = program.command('brands').description('manage brands');
brands
  .command('create <name>')
  .option('--slug <slug>', 'URL name (default: from the name)')
  .description('create a brand and print its keys')
  .action(async (name: string, opts: { slug?: string }) => {
    await withSystem(async ({ ctx }, database) => {
      const b = await createBrand(ctx.db, name, opts.slug);
      console.log(
        `Created brand ${b.name} (${b.slug}) in ${database}.\n  write key:  ${b.writeKey}\n  secret key: ${b.secretKey}   (shown once; stored hashed)`,
      );
    });
  });

const demo = program.command('demo').description('the demo world');
demo
  .command('load')
  .description('load (or reload) the demo brands, catalogs, history and shoppers')
  .action(async () => {
    const config = configFromEnv();
    await withSystem(async ({ ctx }, database) => {
      await loadDemo(ctx, config.home, (line) => console.log(line));
      console.log(
        `Loaded the demo world into ${database}; its keys are in ${path.join(config.home, 'demo-keys.json')}.`,
      );
    });
  });
demo
  .command('refresh')
  .description("move the demo's in-flight orders to today, so they are arriving tomorrow again")
  .action(async () => {
    await withSystem(async ({ ctx }, database) => {
      const n = await refreshDemo(ctx);
      console.log(`Refreshed ${n} in-flight demo orders relative to now, in ${database}.`);
    });
  });

program
  .command('import <file>')
  .description('import a CSV or JSON Lines file (optionally gzipped), all or nothing')
  .requiredOption('--brand <slug>', 'the brand the data belongs to')
  .addOption(new Option('--kind <kind>', 'what the file holds').choices([...IMPORT_KINDS]).makeOptionMandatory())
  .option('--currency <code>', 'currency for prices without one')
  .action(async (file: string, opts: { brand: string; kind: ImportKind; currency?: string }) => {
    const bar = new cliProgress.SingleBar(
      { format: ' importing |{bar}| {percentage}% of the file', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    await withSystem(async ({ ctx }, database) => {
      const brand = await brandBySlug(ctx.db, opts.brand);
      if (!brand) throw new AppError('not_found', `no brand "${opts.brand}"`);
      let r: Awaited<ReturnType<typeof importFile>>;
      try {
        r = await importFile(
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
      console.log(
        r.alreadyImported
          ? `${file} was imported before into ${database}: nothing stored again (${r.lines} lines checked).`
          : `Imported ${r.stored} ${r.kind} from ${r.lines} lines of ${file} into ${database} in ${r.seconds.toFixed(1)} s${r.skipped ? ` (${r.skipped} lines without a customer skipped)` : ''}.`,
      );
    });
  });

program
  .command('console')
  .description('the brand console')
  .command('invite')
  .description("e-mail a brand's person an invitation to its console (printed too, when no SMTP_URL is set)")
  .requiredOption('--brand <slug>', 'the brand')
  .requiredOption('--email <address>', 'who to invite')
  .action(async (opts: { brand: string; email: string }) => {
    const r = await withSystem(({ ctx }) => inviteToConsole(ctx, opts.brand, opts.email));
    console.log(
      r.mailed
        ? `Invited ${opts.email}: the link is in their inbox.`
        : `No SMTP_URL is set, so nothing was mailed. Give ${opts.email} this link: ${r.url}`,
    );
  });

program
  .command('understand')
  .description('read JSON Lines {"text": ...} on stdin, write one understanding per line (no server needed)')
  .action(async () => {
    process.exitCode = await runUnderstandCli(process.stdin, process.stdout);
  });

program
  .command('recommend-offline')
  .description(
    'train on an Online Retail-format file (purchases only) and write top-k items per listed user as JSON Lines',
  )
  .requiredOption('--transactions <file>', 'Online Retail CSV, gzip or plain')
  .requiredOption('--users <file>', 'one CustomerID a line')
  .option('--k <n>', 'items per user', '50')
  .option('--out <file>', 'write here instead of stdout')
  .action(async (opts: { transactions: string; users: string; k: string; out?: string }) => {
    let last = '';
    const r = await runRecommendOffline({
      transactions: opts.transactions,
      users: opts.users,
      k: Number(opts.k),
      output: opts.out,
      onProgress: (phase, done, total) => {
        const line = `${phase} ${Math.round((100 * done) / Math.max(total, 1))}%`;
        if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(40)}`);
        last = line;
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.error(
      `Recommended ${opts.k} items for ${r.users} users (${r.knownUsers} seen in training) from ${r.interactions} purchases in ${(r.ms.total / 1000).toFixed(1)} s; model ${(r.modelMemoryBytes / 2 ** 20).toFixed(0)} MB.`,
    );
  });

program
  .command('distribution')
  .description('print the statements that distribute this database on Citus (placements from src/<room>/tables.ts)')
  .action(async () => {
    const lines = await withSystem(({ ctx }) => distributionStatements(ctx.db));
    console.log(lines.join('\n'));
  });

program.parseAsync().catch((err) => {
  if (err instanceof AppError) console.error(`error: ${err.path ? `${err.path}: ` : ''}${err.message}`);
  else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
