/**
 * Sign-in by e-mailed one-time link. The link's token is random, only its hash is stored, it expires after a
 * few minutes and works once. Following it gives a session token (cookie for the browser, bearer for the API).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { inTransaction } from '../db/pool.js';
import { AppError } from '../errors.js';
import { randomToken, sha256 } from '../crypto.js';
import { issueToken } from './people.js';
import { sendMail } from '../messaging/index.js';

export const SIGN_IN_LINK_MINUTES = 15;
export const SESSION_DAYS = 30;
/** At most this many links per address in one link lifetime: enough for a lost e-mail, too few to flood an inbox. */
const LINKS_PER_WINDOW = 5;

const MINUTE = 60_000;

export const signInUrl = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/$/, '')}/v1/auth/verify?token=${encodeURIComponent(token)}`;

/**
 * E-mails a sign-in link. The answer is the same whether or not the address is known, so the endpoint does not
 * tell who has a Confidant. The person is created only when the link is followed.
 */
export async function requestSignIn(ctx: AppContext, rawEmail: string): Promise<void> {
  const email = rawEmail.trim();
  const now = ctx.now();
  const token = randomToken('sil', 32);
  await inTransaction(ctx.db, async (tx) => {
    // Serialise requests for one address, so the rate limit below cannot be raced.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext(lower($1)))', [email]);
    const recent = await tx.query(
      'SELECT count(*)::int AS n FROM sign_in_links WHERE lower(email) = lower($1) AND created_at > $2',
      [email, new Date(now.getTime() - SIGN_IN_LINK_MINUTES * MINUTE)],
    );
    if (recent.rows[0].n >= LINKS_PER_WINDOW)
      throw new AppError(
        'rate_limited',
        `too many sign-in links for this address; try again in ${SIGN_IN_LINK_MINUTES} minutes`,
        '/body/email',
      );
    // The person's id if they exist, else the id an earlier pending link promised, else a new one.
    const known = await tx.query(
      `SELECT id FROM persons WHERE lower(email) = lower($1)
       UNION ALL (SELECT person_id FROM sign_in_links WHERE lower(email) = lower($1) ORDER BY created_at DESC LIMIT 1) LIMIT 1`,
      [email],
    );
    const personId: string = known.rows[0]?.id ?? randomUUID();
    // Spent and long-expired links of this address are of no use to anyone.
    await tx.query('DELETE FROM sign_in_links WHERE lower(email) = lower($1) AND expires_at < $2', [
      email,
      new Date(now.getTime() - 24 * 60 * MINUTE),
    ]);
    await tx.query(
      'INSERT INTO sign_in_links (person_id, token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [personId, sha256(token), email, now, new Date(now.getTime() + SIGN_IN_LINK_MINUTES * MINUTE)],
    );
    // Sent inside the transaction: if the mail cannot go out, the link is not kept (and not counted).
    const link = signInUrl(ctx.publicUrl, token);
    const mailed = await sendMail(ctx, {
      to: email,
      subject: 'Your Confidant sign-in link',
      text: `Hello,\n\nFollow this link to sign in to Confidant:\n\n${link}\n\nIt works once, for ${SIGN_IN_LINK_MINUTES} minutes. If you did not ask for it, ignore this e-mail: nobody can sign in without it.\n`,
    });
    if (!mailed) {
      // No mail server: the person at the server's terminal gets the link, on a line of its own to click or copy.
      ctx.tell?.(`Sign-in link for ${email} (no SMTP_URL; it works once, for ${SIGN_IN_LINK_MINUTES} minutes):`);
      ctx.tell?.(link);
    }
  });
}

/** The address a sign-in link is for, if it is still usable; does not spend it (a GET of the link only looks). */
export async function peekSignIn(ctx: AppContext, token: string): Promise<{ email: string } | null> {
  const r = await ctx.db.query(
    'SELECT email FROM sign_in_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2',
    [sha256(token), ctx.now()],
  );
  return r.rows[0] ? { email: r.rows[0].email } : null;
}

/**
 * Spends a sign-in link: marks it used (once, atomically), claims or creates the person, and issues a session token.
 * Unknown, used and expired links all get the same answer.
 */
export async function verifySignIn(
  ctx: AppContext,
  token: string,
): Promise<{ personId: string; sessionToken: string }> {
  const now = ctx.now();
  return inTransaction(ctx.db, async (tx) => {
    const spent = await tx.query(
      'UPDATE sign_in_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING person_id, email',
      [sha256(token), now],
    );
    if (spent.rowCount === 0)
      throw new AppError(
        'unauthorized',
        'this sign-in link is unknown, already used or expired; ask for a new one',
        '/token',
      );
    const { person_id: promisedId, email } = spent.rows[0] as { person_id: string; email: string };
    // One address, one person: looked up and created under the address's lock (the same lock as asking for a link).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext(lower($1)))', [email]);
    let personId: string | undefined = (
      await tx.query('SELECT id FROM persons WHERE lower(email) = lower($1)', [email])
    ).rows[0]?.id;
    if (personId) {
      await tx.query('UPDATE persons SET claimed = true WHERE id = $1', [personId]);
    } else {
      const created = await tx.query(
        'INSERT INTO persons (id, email, claimed) VALUES ($1, $2, true) ON CONFLICT DO NOTHING RETURNING id',
        [promisedId, email],
      );
      // Two first sign-ins of one address at once: the other one made the person.
      personId =
        created.rows[0]?.id ??
        (await tx.query('SELECT id FROM persons WHERE lower(email) = lower($1)', [email])).rows[0]?.id;
      if (!personId)
        throw new AppError('conflict', 'this sign-in link can no longer be used; ask for a new one', '/token');
    }
    return { personId: personId!, sessionToken: await issueToken(tx, personId!, 'sign-in link', SESSION_DAYS, now) };
  });
}
