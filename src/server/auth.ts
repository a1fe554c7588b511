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

/**
 * Each request is authenticated once: the hook of `authenticateFirst` checks the key before the body is read, and the
 * handler's own call gets the same answer.
 */
const checked = new WeakMap<FastifyRequest, Promise<unknown>>();
function once<T>(req: FastifyRequest, check: () => Promise<T>): Promise<T> {
  let p = checked.get(req) as Promise<T> | undefined;
  if (!p) checked.set(req, (p = check()));
  return p;
}

/** The write key of a tracking call: HTTP Basic user name, `?writeKey=` (beacons), or `writeKey` in the body (Segment's browser library). */
export function writeKeyOf(req: FastifyRequest): string | null {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (m) return Buffer.from(m[1], 'base64').toString('utf8').split(':')[0] || null;
  const q = (req.query as Record<string, unknown> | undefined)?.writeKey;
  if (typeof q === 'string' && q) return q;
  const b = (req.body as Record<string, unknown> | undefined)?.writeKey;
  return typeof b === 'string' && b ? b : null;
}

/** Segment-style: HTTP Basic with the write key as user name (password empty), or the key in the query or the body. */
export function brandFromWriteKey(ctx: AppContext, req: FastifyRequest): Promise<Brand> {
  return once(req, async () => {
    const key = writeKeyOf(req);
    if (!key) throw new AppError('unauthorized', 'send the write key as HTTP Basic user name');
    const brand = await brandByWriteKey(ctx.db, key);
    if (!brand) throw new AppError('unauthorized', 'unknown write key');
    return brand;
  });
}

/** Server-to-server calls: `Authorization: Bearer sk_...`. */
export function brandFromSecretKey(ctx: AppContext, req: FastifyRequest): Promise<Brand> {
  return once(req, async () => {
    const token = bearer(req);
    if (!token) throw new AppError('unauthorized', 'send the brand secret key as a Bearer token');
    const brand = token.startsWith('sk_') ? await brandBySecretKey(ctx.db, token) : null;
    if (!brand) throw new AppError('unauthorized', 'unknown secret key');
    return brand;
  });
}

/** A shopper: bearer token (API) or the session cookie (browser). */
export function shopperFromToken(ctx: AppContext, req: FastifyRequest): Promise<Person> {
  return once(req, async () => {
    const token = bearer(req) ?? (req.cookies?.[SESSION_COOKIE] as string | undefined) ?? null;
    if (!token) throw new AppError('unauthorized', 'sign in first: send your access token as a Bearer token');
    const person = token.startsWith('tok_') ? await personByToken(ctx.db, token, ctx.now()) : null;
    if (!person) throw new AppError('unauthorized', 'this access token is unknown, expired or revoked');
    return person;
  });
}

/**
 * Authentication before anything else of a request: no key, or a wrong one, is a 401 before the body is read or
 * validated (never a 400 that describes the schema, a 413 or a 415). The route's OpenAPI `security` says which key.
 * A tracking call whose write key can only be in its body (Segment's browser library) is checked once it is parsed.
 */
export function authenticateFirst(ctx: AppContext) {
  return async (req: FastifyRequest) => {
    const scheme = schemeOf(req);
    if (scheme === 'secretKey') await brandFromSecretKey(ctx, req);
    else if (scheme === 'shopperToken') await shopperFromToken(ctx, req);
    else if (scheme === 'writeKey' && writeKeyOf(req)) await brandFromWriteKey(ctx, req);
  };
}

/** The one security scheme a route declares (`secretKey`, `writeKey`, `shopperToken`), if it declares exactly one. */
export function schemeOf(req: FastifyRequest): string | undefined {
  const security = (req.routeOptions?.schema as { security?: Array<Record<string, unknown>> } | undefined)?.security;
  return security?.length === 1 ? Object.keys(security[0])[0] : undefined;
}

/** A tracking call that failed before any key was seen (its body could not be read): answered 401, not 400/413/415. */
export function failedWithoutKey(req: FastifyRequest): boolean {
  return schemeOf(req) === 'writeKey' && !checked.has(req) && !writeKeyOf(req);
}

export const brandSecurity = [{ secretKey: [] }];
export const writeKeySecurity = [{ writeKey: [] }];
export const shopperSecurity = [{ shopperToken: [] }];
