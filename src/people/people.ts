import type { Queryable } from '../db/pool.js';
import { hmac, randomToken, sha256 } from '../crypto.js';

export interface Person {
  id: string;
  email: string | null;
  displayName: string | null;
  timeZone: string;
  claimed: boolean;
}

const personColumns = (t = '') =>
  `${t}id, ${t}email, ${t}display_name AS "displayName", ${t}time_zone AS "timeZone", ${t}claimed`;
const PERSON_COLUMNS = personColumns();

export async function personById(db: Queryable, id: string): Promise<Person | null> {
  const r = await db.query(`SELECT ${PERSON_COLUMNS} FROM persons WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function createPerson(
  db: Queryable,
  p: { email?: string | null; displayName?: string | null; timeZone?: string; claimed?: boolean },
): Promise<Person> {
  const r = await db.query(
    `INSERT INTO persons (email, display_name, time_zone, claimed) VALUES ($1, $2, $3, $4) RETURNING ${PERSON_COLUMNS}`,
    [p.email ?? null, p.displayName ?? null, p.timeZone ?? 'UTC', p.claimed ?? true],
  );
  return r.rows[0];
}

/**
 * Stands for a brand customer whose person was erased. No such person exists: the database drops every row
 * written for it (triggers in people/migrations/021), so events re-sent for an erased customer are accepted and
 * counted (a 2xx, nothing lost from the brand's point of view) but never stored, and the person is not recreated.
 */
export const SUPPRESSED_PERSON = '00000000-0000-0000-0000-000000000000';

/**
 * Maps a brand's customer ids to persons, creating an unclaimed person for each customer seen for the
 * first time. Safe under concurrency: a customer row is claimed with ON CONFLICT, and its person in the same statement.
 */
export async function resolveCustomers(
  db: Queryable,
  brandId: number,
  externalIds: string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(externalIds)];
  const found = new Map<string, string>();
  const existing = await db.query(
    'SELECT external_id, person_id FROM brand_customers WHERE brand_id = $1 AND external_id = ANY($2)',
    [brandId, unique],
  );
  for (const row of existing.rows) found.set(row.external_id, row.person_id);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  // One statement, so the customer row and its person are created together even outside a transaction.
  // A customer whose person was erased (a suppression) is not created again: it maps to SUPPRESSED_PERSON.
  const created = await db.query(
    `WITH s AS (SELECT x FROM unnest($2::text[]) AS x
       WHERE EXISTS (SELECT 1 FROM suppressions WHERE brand_id = $1 AND customer_hash = suppression_hash($1, x))),
     c AS (
       INSERT INTO brand_customers (brand_id, external_id, person_id)
       SELECT $1, x, gen_random_uuid() FROM unnest($2::text[]) AS x WHERE x NOT IN (SELECT x FROM s)
       ON CONFLICT DO NOTHING RETURNING external_id, person_id),
     p AS (INSERT INTO persons (id, claimed) SELECT person_id, false FROM c)
     SELECT external_id, person_id FROM c UNION ALL SELECT x, '${SUPPRESSED_PERSON}'::uuid FROM s`,
    [brandId, missing],
  );
  for (const row of created.rows) found.set(row.external_id, row.person_id);
  if (found.size < unique.length) {
    // Another transaction created them meanwhile; it has committed once our INSERT returned.
    const again = await db.query(
      'SELECT external_id, person_id FROM brand_customers WHERE brand_id = $1 AND external_id = ANY($2)',
      [brandId, unique.filter((id) => !found.has(id))],
    );
    for (const row of again.rows) found.set(row.external_id, row.person_id);
  }
  return found;
}

/**
 * Erasure: every customer id of the person, linked or not, stays suppressed (a keyed hash, not the id), so events a
 * brand sends again do not bring the person back; their pending link requests go.
 */
export async function suppressCustomersOf(
  tx: Queryable,
  personId: string,
  now: Date,
): Promise<{ suppressionsWritten: number; linkRequestsDeleted: number }> {
  const suppressed = await tx.query(
    `INSERT INTO suppressions (brand_id, customer_hash, created_at) SELECT brand_id, suppression_hash(brand_id, external_id), $2
     FROM brand_customers WHERE person_id = $1 ON CONFLICT DO NOTHING`,
    [personId, now],
  );
  const pending = await tx.query(
    `DELETE FROM link_requests lr USING brand_customers bc WHERE bc.person_id = $1 AND lr.brand_id = bc.brand_id AND lr.external_id = bc.external_id`,
    [personId],
  );
  return { suppressionsWritten: suppressed.rowCount ?? 0, linkRequestsDeleted: pending.rowCount ?? 0 };
}

/** Adds to what brands told about their customers (traits: e-mail, name, ...); the number of customers found. */
export async function addCustomerTraits(
  db: Queryable,
  brandId: number,
  customers: Array<{ externalId: string; traits: Record<string, unknown> }>,
): Promise<number> {
  if (customers.length === 0) return 0;
  const r = await db.query(
    `UPDATE brand_customers bc SET traits = bc.traits || x.traits::jsonb
     FROM unnest($2::text[], $3::text[]) AS x(id, traits) WHERE bc.brand_id = $1 AND bc.external_id = x.id`,
    [brandId, customers.map((c) => c.externalId), customers.map((c) => JSON.stringify(c.traits))],
  );
  return r.rowCount ?? 0;
}

/** The demo claims a brand's customer as a signed-up person: their address, name and time zone. */
export async function claimPerson(
  db: Queryable,
  personId: string,
  p: { email: string; displayName: string; timeZone: string },
): Promise<void> {
  await db.query('UPDATE persons SET email = $2, display_name = $3, time_zone = $4, claimed = true WHERE id = $1', [
    personId,
    p.email,
    p.displayName,
    p.timeZone,
  ]);
}

/** Links a brand's customer id to an existing person (used when the person confirms, and by the demo). */
export async function linkCustomer(
  db: Queryable,
  brandId: number,
  externalId: string,
  personId: string,
  confirmedAt: Date | null,
) {
  await db.query(
    `INSERT INTO brand_customers (brand_id, external_id, person_id, confirmed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (brand_id, external_id) DO UPDATE SET person_id = EXCLUDED.person_id, confirmed_at = EXCLUDED.confirmed_at`,
    [brandId, externalId, personId, confirmedAt],
  );
}

const knownPseudonyms = new Set<string>();

/** The pid itself, HMAC(server secret, person, brand), without registering it. */
export const pidFor = (secret: Buffer, personId: string, brandId: number) =>
  `p_${hmac(secret, 'pid', personId, String(brandId)).slice(0, 26)}`;

/** The brand's pseudonymous id for a person: the same for one brand every time, unlinkable across brands. */
export async function pseudonymFor(db: Queryable, secret: Buffer, personId: string, brandId: number): Promise<string> {
  const pid = pidFor(secret, personId, brandId);
  const key = `${brandId}:${pid}`;
  if (!knownPseudonyms.has(key)) {
    await db.query('INSERT INTO pseudonyms (person_id, brand_id, pid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      personId,
      brandId,
      pid,
    ]);
    knownPseudonyms.add(key);
  }
  return pid;
}

/** Forgets cached pseudonyms of a person (after erasure). */
export function forgetPseudonymCache() {
  knownPseudonyms.clear();
}

const DAY = 24 * 3600 * 1000;

/** Issues a shopper access token; only its hash is stored. */
export async function issueToken(
  db: Queryable,
  personId: string,
  label = 'session',
  ttlDays = 30,
  now = new Date(),
): Promise<string> {
  const token = randomToken('tok', 24);
  await db.query(
    'INSERT INTO sessions (person_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [personId, sha256(token), label, now, new Date(now.getTime() + ttlDays * DAY)],
  );
  return token;
}

export async function personByToken(db: Queryable, token: string, now = new Date()): Promise<Person | null> {
  const r = await db.query(
    `SELECT ${personColumns('p.')} FROM sessions s JOIN persons p ON p.id = s.person_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`,
    [sha256(token), now],
  );
  return r.rows[0] ?? null;
}

export async function revokeToken(db: Queryable, token: string, now = new Date()): Promise<boolean> {
  const r = await db.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [
    sha256(token),
    now,
  ]);
  return (r.rowCount ?? 0) > 0;
}
