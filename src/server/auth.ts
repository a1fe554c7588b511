import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { type Brand, brandBySecretKey, brandByWriteKey } from '../brands/brands.js';
import { type Person, personByToken } from '../people/people.js';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'confidant_session';

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(.+)$/i.exec(h);
  return m ? m[1].trim() : null;
}

/** Segment-style: HTTP Basic with the write key as user name (password empty). */
export async function brandFromWriteKey(ctx: AppContext, req: FastifyRequest): Promise<Brand> {
  const h = req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(h);
  if (!m) throw new AppError('unauthorized', 'send the write key as HTTP Basic user name');
  const user = Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
  const brand = user ? await brandByWriteKey(ctx.db, user) : null;
  if (!brand) throw new AppError('unauthorized', 'unknown write key');
  return brand;
}

/** Server-to-server calls: `Authorization: Bearer sk_...`. */
export async function brandFromSecretKey(ctx: AppContext, req: FastifyRequest): Promise<Brand> {
  const token = bearer(req);
  if (!token) throw new AppError('unauthorized', 'send the brand secret key as a Bearer token');
  const brand = token.startsWith('sk_') ? await brandBySecretKey(ctx.db, token) : null;
  if (!brand) throw new AppError('unauthorized', 'unknown secret key');
  return brand;
}

/** A shopper: bearer token (API) or the session cookie (browser). */
export async function shopperFromToken(ctx: AppContext, req: FastifyRequest): Promise<Person> {
  const token = bearer(req) ?? (req.cookies?.[SESSION_COOKIE] as string | undefined) ?? null;
  if (!token) throw new AppError('unauthorized', 'sign in first: send your access token as a Bearer token');
  const person = token.startsWith('tok_') ? await personByToken(ctx.db, token, ctx.now()) : null;
  if (!person) throw new AppError('unauthorized', 'this access token is unknown, expired or revoked');
  return person;
}

export const brandSecurity = [{ secretKey: [] }];
export const writeKeySecurity = [{ writeKey: [] }];
export const shopperSecurity = [{ shopperToken: [] }];
