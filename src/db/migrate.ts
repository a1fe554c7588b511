import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Db, Tx } from './pool.js';

const SRC = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface Migration {
  version: number;
  /** `<room>/<name>`: the room whose `migrations/` folder holds it, and the file's name without number and `.sql`. */
  name: string;
  file: string;
  sql: string;
  /** sha256 of the file's text (line ends as LF), recorded when applied and checked at every start. */
  checksum: string;
}

export const checksumOf = (sql: string) =>
  crypto.createHash('sha256').update(sql.replace(/\r\n?/g, '\n')).digest('hex');

/** Every room keeps its schema in `src/<room>/migrations/NNN_name.sql`; numbers are global. */
export function listMigrations(src = SRC): Migration[] {
  const found: Migration[] = [];
  for (const room of fs.readdirSync(src)) {
    const dir = path.join(src, room, 'migrations');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const m = /^(\d+)_(.+)\.sql$/.exec(f);
      if (!m) continue;
      const file = path.join(dir, f);
      const sql = fs.readFileSync(file, 'utf8');
      found.push({ version: Number(m[1]), name: `${room}/${m[2]}`, file, sql, checksum: checksumOf(sql) });
    }
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i].version === found[i - 1].version) {
      throw new AppError(
        'conflict',
        `two migrations numbered ${found[i].version}: ${found[i - 1].file} and ${found[i].file}; give the newer one the next free number in your range`,
      );
    }
  }
  return found;
}

/**
 * Migrations that were changed after they had been applied, before checksums were recorded. A database whose
 * `schema_migrations` predates checksums may hold any of their versions; migration 050 (gatekeeper/repair_person_changes)
 * brings every one of them to today's schema, so the runner records today's file for them.
 */
const EDITED_BEFORE_CHECKSUMS: Record<number, { replaced?: string[]; removed?: string[] }> = {
  42: {}, // gatekeeper/audit_log_lean_insert: first dropped the key to persons as well
  43: {}, // ingest/events_lean_insert: first dropped the key to persons as well (what 044 does)
  45: { replaced: ['gatekeeper/person_versions'] }, // the same number held person_versions before person_changes
  46: {}, // recommend/activity_changes: one notification per statement, fences on the shared channel
  47: { removed: ['gatekeeper/audit_fence'] }, // added, edited, then folded into 045 and deleted
};

/** Applies pending migrations, each in its own transaction, under an advisory lock so many processes may start at once. */
export async function migrate(db: Db, opts: { src?: string } = {}): Promise<number> {
  const migrations = listMigrations(opts.src);
  const client = await db.connect();
  let applied = 0;
  try {
    await client.query('SELECT pg_advisory_lock(4545001)');
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL)`);
      await upgradeLegacyRecords(client, migrations);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
    const done = new Map(
      (await client.query('SELECT version, name, checksum FROM schema_migrations')).rows.map((r) => [
        r.version as number,
        r as { name: string; checksum: string },
      ]),
    );
    refuseChanged(migrations, done);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('COMMIT');
        applied++;
      } catch (err) {
        await client.query('ROLLBACK');
        throw new AppError('internal', `migration ${m.version} (${m.file}) failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(4545001)').catch(() => {}); // the lock also ends with the session
    client.release();
  }
  return applied;
}

/** Every applied migration must still be there, under its name, with the text it had when applied. */
function refuseChanged(migrations: Migration[], done: Map<number, { name: string; checksum: string }>) {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const problems: string[] = [];
  for (const [version, rec] of [...done].sort((a, b) => a[0] - b[0])) {
    const m = byVersion.get(version);
    const number = String(version).padStart(3, '0');
    if (!m) {
      problems.push(
        `migration ${number} (${rec.name}) was applied to this database but its file is gone: restore src/${rec.name.replace('/', `/migrations/${number}_`)}.sql as it was`,
      );
    } else if (m.name !== rec.name) {
      problems.push(
        `migration ${number} was applied as ${rec.name} but ${m.file} now holds that number: restore the old file and give the new one the next free number`,
      );
    } else if (m.checksum !== rec.checksum) {
      problems.push(
        `migration ${number} (${m.file}) was changed after it was applied to this database: restore it as it was (git log -p -- ${path.relative(process.cwd(), m.file)}) and put the change in a new migration with the next free number`,
      );
    }
  }
  if (problems.length) {
    throw new AppError(
      'conflict',
      `the database's schema no longer matches its migrations; migrations are only ever appended:\n- ${problems.join('\n- ')}`,
    );
  }
}

/**
 * A `schema_migrations` written before checksums (no `checksum` column) is upgraded in place: each record is checked
 * by name against today's files (the known edits above are accepted), and today's checksum recorded.
 */
async function upgradeLegacyRecords(tx: Tx, migrations: Migration[]) {
  const hasChecksum = await tx.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'`,
  );
  if (hasChecksum.rowCount) return;
  await tx.query('ALTER TABLE schema_migrations ADD COLUMN checksum text');
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const rows = (await tx.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows as Array<{
    version: number;
    name: string;
  }>;
  const unknown: string[] = [];
  for (const r of rows) {
    const m = byVersion.get(r.version);
    const known = EDITED_BEFORE_CHECKSUMS[r.version];
    if (m && m.name === r.name) {
      await tx.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [r.version, m.checksum]);
    } else if (m && known?.replaced?.includes(r.name)) {
      await tx.query('UPDATE schema_migrations SET name = $2, checksum = $3 WHERE version = $1', [
        r.version,
        m.name,
        m.checksum,
      ]);
    } else if (!m && known?.removed?.includes(r.name)) {
      await tx.query('DELETE FROM schema_migrations WHERE version = $1', [r.version]);
    } else {
      unknown.push(`${r.version} (${r.name})`);
    }
  }
  if (unknown.length) {
    throw new AppError(
      'conflict',
      `this database applied migrations this code does not have: ${unknown.join(', ')}; start it with the code that made it`,
    );
  }
  // The first 043 dropped the events' key to persons, which 044 drops: a folder made then has 044's effect already.
  const done = new Set(rows.map((r) => r.version));
  const events044 = byVersion.get(44);
  if (events044 && done.has(43) && !done.has(44)) {
    const key = await tx.query(
      `SELECT 1 FROM pg_constraint WHERE conname = 'events_person_id_fkey' AND conrelid = to_regclass('events')`,
    );
    if (!key.rowCount) {
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        44,
        events044.name,
        events044.checksum,
      ]);
    }
  }
  await tx.query('ALTER TABLE schema_migrations ALTER COLUMN checksum SET NOT NULL');
}
