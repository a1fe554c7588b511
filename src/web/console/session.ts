/**
 * Who is using the console: a brand's person, signed in with the brand's secret key typed into the console's form
 * (never in a URL) or with an invite the CLI e-mailed. The session is an HTTP-only, same-site cookie holding a
 * token we signed (brand, who, until when); nothing is stored.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { hmac } from '../../crypto.js';
import { AppError } from '../../errors.js';

export const CONSOLE_COOKIE = 'confidant_console';
export const CONSOLE_SESSION_HOURS = 12;
export const INVITE_HOURS = 72;

interface Signed {
  brandId: number;
  who: string;
  until: number;
}

function sign(secret: Buffer, kind: string, s: Signed): string {
  const body = Buffer.from(JSON.stringify([s.brandId, s.who, s.until])).toString('base64url');
  return `${body}.${hmac(secret, kind, body)}`;
}

function verify(secret: Buffer, kind: string, token: string, now: Date): Signed | null {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const want = Buffer.from(hmac(secret, kind, m[1]));
  const got = Buffer.from(m[2]);
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
  const [brandId, who, until] = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  return until > now.getTime() ? { brandId, who, until } : null;
}

export const consoleToken = (ctx: AppContext, brandId: number, who: string) =>
  sign(ctx.secret, 'console-session', {
    brandId,
    who,
    until: ctx.now().getTime() + CONSOLE_SESSION_HOURS * 3600_000,
  });

export const inviteToken = (ctx: AppContext, brandId: number, email: string) =>
  `inv_${sign(ctx.secret, 'console-invite', { brandId, who: email, until: ctx.now().getTime() + INVITE_HOURS * 3600_000 })}`;

export function readInvite(ctx: AppContext, token: string): Signed | null {
  return token.startsWith('inv_') ? verify(ctx.secret, 'console-invite', token.slice(4), ctx.now()) : null;
}

/** The console's signed-in brand, from its cookie. */
export function consoleUser(ctx: AppContext, req: FastifyRequest): Signed {
  const token = req.cookies?.[CONSOLE_COOKIE];
  const s = token ? verify(ctx.secret, 'console-session', token, ctx.now()) : null;
  if (!s) throw new AppError('unauthorized', 'sign in to the console first');
  return s;
}
