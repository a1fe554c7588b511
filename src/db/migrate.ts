import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './pool.js';

const SRC = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

interface Migration {
  version: number;
  name: string;
  file: string;
}

/** Every domain keeps its schema in `src/<domain>/migrations/NNN_name.sql`; numbers are global. */
export function listMigrations(): Migration[] {
  const found: Migration[] = [];
  for (const domain of fs.readdirSync(SRC)) {
    const dir = path.join(SRC, domain, 'migrations');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const m = /^(\d+)_(.+)\.sql$/.exec(f);
      if (m) found.push({ version: Number(m[1]), name: `${domain}/${m[2]}`, file: path.join(dir, f) });
    }
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i].version === found[i - 1].version) {
      throw new Error(`two migrations numbered ${found[i].version}: ${found[i - 1].name} and ${found[i].name}`);
    }
  }
  return found;
}

/** Applies pending migrations, each in its own transaction, under an advisory lock so many processes may start at once. */
export async function migrate(db: Db): Promise<number> {
  const client = await db.connect();
  let applied = 0;
  try {
    await client.query('SELECT pg_advisory_lock(4545001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number),
    );
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(fs.readFileSync(m.file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
        applied++;
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(4545001)').catch(() => {});
    client.release();
  }
  return applied;
}
