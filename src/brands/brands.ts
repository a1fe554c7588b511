import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { randomToken, sha256 } from '../crypto.js';

export interface Brand {
  id: number;
  slug: string;
  name: string;
  writeKey: string;
  webhookUrl: string | null;
}

export interface NewBrandKeys extends Brand {
  secretKey: string;
}

const COLUMNS = 'id, slug, name, write_key AS "writeKey", webhook_url AS "webhookUrl"';

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/&/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** Creates a brand and returns its keys; the secret key is shown only now (it is stored hashed). */
export async function createBrand(db: Queryable, name: string, slug = slugify(name)): Promise<NewBrandKeys> {
  if (!name.trim()) throw new AppError('validation_failed', 'a brand needs a name', '/name');
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug))
    throw new AppError(
      'validation_failed',
      `"${slug}" is not a valid slug (lower-case letters, digits and dashes)`,
      '/slug',
    );
  const writeKey = randomToken('wk', 18);
  const secretKey = randomToken('sk', 24);
  const r = await db.query(
    `INSERT INTO brands (slug, name, write_key, secret_key_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (slug) DO NOTHING RETURNING ${COLUMNS}`,
    [slug, name.trim(), writeKey, sha256(secretKey)],
  );
  if (r.rowCount === 0) throw new AppError('conflict', `a brand with slug "${slug}" already exists`, '/slug');
  return { ...r.rows[0], secretKey };
}

// Tracking and server-to-server calls arrive by the thousand per second with the same keys; a short-lived cache
// spares a query each. Ten seconds bounds how long a deleted brand's key keeps working in another process.
const KEY_TTL_MS = 10_000;

function brandsByKey(column: 'write_key' | 'secret_key_hash') {
  const cache = new Map<string, { brand: Brand; until: number }>();
  return async (db: Queryable, key: string): Promise<Brand | null> => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.brand;
    const r = await db.query(`SELECT ${COLUMNS} FROM brands WHERE ${column} = $1`, [key]);
    const brand: Brand | null = r.rows[0] ?? null;
    if (cache.size > 10_000) cache.clear();
    if (brand) cache.set(key, { brand, until: Date.now() + KEY_TTL_MS });
    return brand;
  };
}

export const brandByWriteKey = brandsByKey('write_key');
const brandBySecretKeyHash = brandsByKey('secret_key_hash');
export const brandBySecretKey = (db: Queryable, secretKey: string) => brandBySecretKeyHash(db, sha256(secretKey));

export async function brandBySlug(db: Queryable, slug: string): Promise<Brand | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM brands WHERE slug = $1`, [slug]);
  return r.rows[0] ?? null;
}

export async function listBrands(db: Queryable): Promise<Brand[]> {
  return (await db.query(`SELECT ${COLUMNS} FROM brands ORDER BY id`)).rows;
}

/** A new secret key for a brand (the old one stops working); shown only now, stored hashed. */
export async function rotateSecretKey(db: Queryable, brandId: number): Promise<string> {
  const secretKey = randomToken('sk', 24);
  await db.query('UPDATE brands SET secret_key_hash = $2 WHERE id = $1', [brandId, sha256(secretKey)]);
  return secretKey;
}

/**
 * Where the brand's webhooks go (null: nowhere), and the Standard Webhooks secret that signs them: `newSecret` is
 * kept when the brand had none or `rotate` is set.
 */
export async function setWebhook(
  db: Queryable,
  brandId: number,
  url: string | null,
  rotate: boolean,
  newSecret: string,
): Promise<{ url: string | null; secret: string | null }> {
  const r = await db.query(
    `UPDATE brands SET webhook_url = $2, webhook_secret = CASE WHEN $3 OR webhook_secret IS NULL THEN $4 ELSE webhook_secret END
     WHERE id = $1 RETURNING webhook_url, webhook_secret`,
    [brandId, url, rotate, newSecret],
  );
  return { url: r.rows[0].webhook_url, secret: r.rows[0].webhook_secret };
}

/** A server-wide setting (server_settings), or null. */
export async function serverSetting(db: Queryable, key: string): Promise<string | null> {
  const r = await db.query('SELECT value FROM server_settings WHERE key = $1', [key]);
  return r.rows[0]?.value ?? null;
}

/** Sets a server-wide setting; with `onlyIfUnset`, a value already there stays. Returns the value now set. */
export async function setServerSetting(
  db: Queryable,
  key: string,
  value: string,
  opts: { onlyIfUnset?: boolean } = {},
): Promise<string> {
  await db.query(
    `INSERT INTO server_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO ${opts.onlyIfUnset ? 'NOTHING' : 'UPDATE SET value = EXCLUDED.value'}`,
    [key, value],
  );
  return (await serverSetting(db, key)) as string;
}

/** Every brand's slug by id (to name where a fact came from). */
export async function brandSlugs(db: Queryable): Promise<Map<number, string>> {
  const r = await db.query('SELECT id, slug FROM brands');
  return new Map(r.rows.map((b) => [Number(b.id), b.slug as string]));
}

/** How the shop takes payment, in its words; null when it has not said. */
export async function paymentMethodsOf(db: Queryable, brandId: number): Promise<string[] | null> {
  const r = await db.query('SELECT payment_methods FROM brands WHERE id = $1', [brandId]);
  return r.rows[0]?.payment_methods ?? null;
}

export async function setPaymentMethods(db: Queryable, brandId: number, methods: string[]): Promise<void> {
  await db.query('UPDATE brands SET payment_methods = $2 WHERE id = $1', [brandId, methods]);
}
