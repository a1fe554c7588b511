import type { Logger } from 'pino';
import type { Db } from './db/pool.js';
import type { PersonDataRegistry } from './person-data.js';

/** What every service function needs from the running system; passed in so tests can fix the clock. */
export interface AppContext {
  db: Db;
  log: Logger;
  /** HMAC key for pseudonymous ids and other server-side secrets. */
  secret: Buffer;
  /** The clock of "now"; tests pass a fixed one. */
  now: () => Date;
  databaseKind: 'embedded' | 'external';
  /** Public base URL used in links we send (sign-in, unsubscribe). */
  publicUrl: string;
  /** A line for the person at the server's terminal (npm start prints it on a line of its own); tests leave it out. */
  tell?: (line: string) => void;
  /** The rooms' tables and how a person's data in them is exported, erased and merged; src/person-data.ts unless set. */
  registry?: PersonDataRegistry;
}
