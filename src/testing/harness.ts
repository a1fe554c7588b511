/** Test harness: a fresh database cloned from the migrated template, the real app, and helpers to seed it. */
import crypto from 'node:crypto';
import pino from 'pino';
import type { AppContext } from '../context.js';
import { createPool } from '../db/pool.js';
import { buildApp, type App } from '../server/app.js';
import { BACKGROUND, startBackground } from '../server/background.js';
import { createBrand, type NewBrandKeys } from '../brands/brands.js';
import { createPerson, issueToken, linkCustomer, pseudonymFor, type Person } from '../people/people.js';

export interface TestSystem {
  ctx: AppContext;
  app: App;
  url: string;
  /** Makes a brand and returns its keys. */
  brand(name?: string): Promise<NewBrandKeys>;
  /** Makes a signed-in person, optionally linked as `customerId` at the given brands; returns their token and pids. */
  shopper(opts?: {
    name?: string;
    /** null: a person without an e-mail address. */
    email?: string | null;
    timeZone?: string;
    brands?: Array<{ brand: NewBrandKeys; customerId: string }>;
  }): Promise<{ person: Person; token: string; pids: Map<number, string> }>;
  close(): Promise<void>;
}

export async function testSystem(
  opts: {
    now?: () => Date;
    /** Background work (by name in src/server/background.ts) a test drives by hand instead, e.g. `outbox runner`. */
    without?: string[];
  } = {},
): Promise<TestSystem> {
  const base = process.env.CONFIDANT_TEST_DATABASE_URL;
  if (!base) throw new Error('run the tests with `npm test` (it starts the test PostgreSQL)');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = createPool(base, 1);
  await admin.query(`CREATE DATABASE ${name} TEMPLATE confidant_template`);
  await admin.end();
  const url = base.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
  const db = createPool(url, 10);
  const ctx: AppContext = {
    db,
    log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    secret: crypto.randomBytes(32),
    now: opts.now ?? (() => new Date()),
    databaseKind: 'embedded',
    publicUrl: 'http://localhost:4545',
  };
  const app = await buildApp(ctx);
  // The same background work as a server process: the job runner, timers and listeners.
  const background = await startBackground(
    ctx,
    BACKGROUND.filter((w) => !opts.without?.includes(w.name)),
  );
  let n = 0;
  return {
    ctx,
    app,
    url,
    brand: (brandName = `Brand ${++n} ${crypto.randomBytes(2).toString('hex')}`) => createBrand(db, brandName),
    async shopper(o = {}) {
      const person = await createPerson(db, {
        email: o.email ?? `${crypto.randomBytes(4).toString('hex')}@example.com`,
        displayName: o.name ?? 'Sam',
        timeZone: o.timeZone ?? 'UTC',
      });
      if (o.email === null) await db.query('UPDATE persons SET email = NULL WHERE id = $1', [person.id]);
      const pids = new Map<number, string>();
      for (const b of o.brands ?? []) {
        await linkCustomer(db, b.brand.id, b.customerId, person.id, ctx.now());
        pids.set(b.brand.id, await pseudonymFor(db, ctx.secret, person.id, b.brand.id));
      }
      return { person, token: await issueToken(db, person.id, 'test', 30, ctx.now()), pids };
    },
    async close() {
      await app.close();
      await background.stop();
      await db.end();
      const a = createPool(base, 1);
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
export const bearer = (token: string) => `Bearer ${token}`;
