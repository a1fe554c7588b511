/**
 * How tracking calls arrive from real clients, in the tracking routes' own scope: RudderStack's Node SDK gzips its
 * batch and labels it application/x-www-form-urlencoded, Segment's browser library sends JSON as text/plain (no CORS
 * preflight), sendBeacon sends whatever type the Blob has, and web pages calling with a write key need CORS.
 * Whatever the label, the body is JSON; gzip and deflate bodies are inflated on the way in, and the size limits apply
 * to the inflated body (a "zip bomb" stops at the limit).
 */
import zlib from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import cors from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import type { App } from '../server/app.js';
import { AppError } from '../errors.js';
import { DECIMAL, parseJsonBody } from '../server/body.js';

/** `"userId": <number>` outside a string (a key's opening quote never follows a backslash). */
const NUMERIC_USER_ID = /(?<!\\)("userId"\s*:\s*)(-?[0-9][0-9.eE+-]*)/g;

export const TRACKING_PATHS = ['/v1/identify', '/v1/track', '/v1/page', '/v1/batch'];

export async function acceptClientBodies(app: App) {
  await app.register(cors, {
    // Preflight and CORS headers for the tracking routes only (the plugin's OPTIONS route matches every path).
    delegator: (req: FastifyRequest, cb: (err: Error | null, o: object) => void) =>
      cb(
        null,
        TRACKING_PATHS.includes(req.url.split('?')[0])
          ? { origin: '*', methods: ['POST'], maxAge: 86400, strictPreflight: false }
          : { origin: false },
      ),
  });

  app.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (encoding === 'identity' || encoding === '') return payload;
    const inflate =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? zlib.createGunzip()
        : encoding === 'deflate'
          ? zlib.createInflate()
          : null;
    if (!inflate)
      throw new AppError(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not supported: send gzip, deflate or none`,
      );
    return inflated(payload, inflate);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => {
    try {
      const body = parseJsonBody(text as string);
      if (!hasNumericUserId(body)) return done(null, body);
      // Rare: read again with the numbers of userIds kept as their text.
      let marked = 0;
      const exact = parseJsonBody(text as string, NUMERIC_USER_ID, () => marked++);
      done(null, decimalUserIds(exact, marked));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/** The inflated stream, counting the bytes that arrived (Fastify checks them against Content-Length). */
function inflated(payload: Readable, inflate: Transform): Readable {
  const out = inflate as Transform & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    out.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (e) => out.destroy(e));
  out.on('error', () => payload.unpipe(out));
  payload.pipe(out);
  return out;
}

function hasNumericUserId(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.userId === 'number' ||
    (Array.isArray(b.batch) && b.batch.some((m) => typeof (m as { userId?: unknown } | null)?.userId === 'number'))
  );
}

/**
 * A numeric userId is kept exactly as its decimal text when it is an integer (12345678901234567890 stays itself, not
 * 12345678901234567000); any other number (1e999, -0, 1.5) is refused, since no one text stands for it.
 */
function decimalUserIds(body: unknown, marked: number): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const b = body as Record<string, unknown>;
  let fixed = fix(b, '/body');
  if (Array.isArray(b.batch))
    b.batch.forEach((m, i) => {
      if (typeof m === 'object' && m !== null) fixed += fix(m as Record<string, unknown>, `/body/batch/${i}`);
    });
  // A "userId" key elsewhere (inside properties, say) is not an id of ours: it gets its number back.
  if (fixed < marked) restoreNumbers(body);
  return body;
}
function fix(m: Record<string, unknown>, at: string): number {
  const v = m.userId as Record<string, unknown> | undefined;
  if (typeof v !== 'object' || v === null || typeof v[DECIMAL] !== 'string') return 0;
  const text = v[DECIMAL] as string;
  if (!/^(0|-?[1-9][0-9]*)$/.test(text))
    throw new AppError(
      'validation_failed',
      `userId ${text} is not an integer that can be kept exactly: send it as a string`,
      `${at}/userId`,
    );
  m.userId = text;
  return 1;
}

function restoreNumbers(v: unknown) {
  if (typeof v !== 'object' || v === null) return;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'object' && x !== null && typeof (x as Record<string, unknown>)[DECIMAL] === 'string')
      (v as Record<string, unknown>)[k] = Number((x as Record<string, string>)[DECIMAL]);
    else restoreNumbers(x);
  }
}
