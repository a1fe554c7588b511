import pg from 'pg';

// BIGINT (int8) and NUMERIC come back as strings by default; our ids and money fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

export function createPool(connectionString: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  // The same for a checked-out client whose server goes away: its query fails, the process goes on.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Where a pool connects: for a worker thread or process that opens its own connections to the same database. */
export function connectionStringOf(db: Db): string {
  return (db as unknown as { options: { connectionString: string } }).options.connectionString;
}

/** Runs `fn` in one transaction: everything it wrote is committed together, or nothing is. */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
