/** The person reads their audit log: every brand read and use of their data, newest first, a page at a time. */
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import { describeFact } from '../profile/facts.js';

export interface AuditEntry {
  id: number;
  at: Date;
  brand: { slug: string; name: string };
  action: string;
  purpose: string;
  scopes: string[];
  /** The facts used, described as they read now (null when the fact has since been deleted). */
  facts: Array<{ id: string; text: string | null }>;
  call: string;
}

/** The cursor is the (time, id) of the last entry of a page, as PostgreSQL wrote the time (no precision lost). */
const encodeCursor = (at: string, id: number) => Buffer.from(JSON.stringify([at, id])).toString('base64url');
function decodeCursor(cursor: string): [string, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      !Number.isNaN(Date.parse(v[0])) &&
      Number.isInteger(v[1])
    )
      return [v[0], v[1]];
  } catch {}
  throw new AppError('validation_failed', 'cursor is not one this API gave out', '/querystring/cursor');
}

export async function auditEntriesOf(
  db: Queryable,
  personId: string,
  page: { limit: number; cursor?: string },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const r = await db.query(
    `SELECT a.entry_id, a.at, a.at::text AS at_key, b.slug, b.name, a.action, a.purpose, a.scopes, a.fact_ids, a.call FROM audit_log a JOIN brands b ON b.id = a.brand_id
     WHERE a.person_id = $1 AND ($2::timestamptz IS NULL OR (a.at, a.entry_id) < ($2::timestamptz, $3::bigint))
     ORDER BY a.at DESC, a.entry_id DESC LIMIT $4`,
    [personId, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
  );
  const rows = r.rows.slice(0, page.limit);
  const factIds = [...new Set(rows.flatMap((x) => x.fact_ids as string[]))];
  const facts = new Map<string, string>();
  if (factIds.length) {
    const f = await db.query(
      'SELECT fact_id, about, kind, value, polarity FROM facts WHERE person_id = $1 AND fact_id = ANY($2::uuid[])',
      [personId, factIds],
    );
    for (const x of f.rows) facts.set(x.fact_id, describeFact(x));
  }
  const last = rows[rows.length - 1];
  return {
    entries: rows.map((x) => ({
      id: x.entry_id,
      at: x.at,
      brand: { slug: x.slug, name: x.name },
      action: x.action,
      purpose: x.purpose,
      scopes: x.scopes,
      facts: (x.fact_ids as string[]).map((id) => ({ id, text: facts.get(id) ?? null })),
      call: x.call,
    })),
    nextCursor: r.rows.length > page.limit && last ? encodeCursor(last.at_key, last.entry_id) : null,
  };
}
