import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { failedWithoutKey } from './auth.js';

interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

/** The one place where any error becomes an HTTP answer `{"error": {"code", "message", "path"}}`. */
export function toErrorResponse(err: unknown, req?: FastifyRequest): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) } },
    };
  }
  const e = err as FastifyError & {
    validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>;
    validationContext?: string;
  };
  if (e.validation) {
    const first = e.validation[0];
    const missing = first?.params?.missingProperty as string | undefined;
    const path = `/${e.validationContext ?? 'body'}${first?.instancePath ?? ''}${missing ? `/${missing}` : ''}`;
    const allowed = first?.params?.allowedValues as unknown[] | undefined;
    const field = first?.instancePath ? `${first.instancePath.slice(1).replace(/\//g, '.')} ` : '';
    // "one of these is required" is written in the schema as anyOf [required a, required b]: say it as such.
    const either = e.validation.find((v) => (v as { keyword?: string }).keyword === 'anyOf');
    const alternatives = either
      ? e.validation
          .filter((v) => v.instancePath === either.instancePath && v.params?.missingProperty)
          .map((v) => v.params!.missingProperty as string)
      : [];
    alternatives.splice(0, alternatives.length, ...new Set(alternatives));
    const tag = first?.params?.tag as string | undefined;
    if ((first as { keyword?: string })?.keyword === 'discriminator' && tag)
      return {
        status: 400,
        body: {
          error: {
            code: 'validation_failed',
            message: `${tag} must be one of the message types (identify, track, page)`,
            path: `${path}/${tag}`,
          },
        },
      };
    const message =
      alternatives.length > 1
        ? `${alternatives.join(' or ')} is required`
        : missing
          ? `${missing} is required`
          : allowed
            ? `${field}must be one of: ${allowed.join(', ')}`
            : `${field}${first?.message ?? 'is invalid'}`;
    // A path that names nothing that can exist (a malformed uuid, an id longer than any) is not found.
    if (e.validationContext === 'params')
      return {
        status: 404,
        body: { error: { code: 'not_found', message: `nothing at ${req?.url.split('?')[0] ?? 'this path'}`, path } },
      };
    return { status: 400, body: { error: { code: 'validation_failed', message, path } } };
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limitKb = Math.round((req?.routeOptions.bodyLimit ?? 0) / 1024);
    const what = req?.url.startsWith('/v1/batch')
      ? 'a batch'
      : req?.url.match(/^\/v1\/(track|identify|page)\b/)
        ? 'an event'
        : 'this body';
    return {
      status: 413,
      body: { error: { code: 'payload_too_large', message: `${what} may be at most ${limitKb} KB`, path: '/body' } },
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { error: { code: 'unsupported_media_type', message: 'send the body as application/json' } },
    };
  }
  if (
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (e.statusCode === 400 && e instanceof SyntaxError)
  ) {
    return {
      status: 400,
      body: { error: { code: 'bad_request', message: `the body is not valid JSON: ${e.message}`, path: '/body' } },
    };
  }
  const pg = databaseError(err);
  if (pg) return pg;
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: { code: 'bad_request', message: e.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'something went wrong on our side' } } };
}

/**
 * PostgreSQL errors that come from input rather than from a bug (what the checks before it let through): the client
 * gets a plain answer, never PostgreSQL's own message (it names tables, columns and values of the schema).
 */
function databaseError(err: unknown): { status: number; body: ErrorBody } | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || !(err instanceof Error) || !('severity' in err))
    return null;
  const answer = (status: number, c: string, message: string) => ({ status, body: { error: { code: c, message } } });
  if (code === '23505') return answer(409, 'conflict', 'that already exists');
  if (code === '21000') return answer(400, 'bad_request', 'the same key appears twice in this request');
  if (code === '54001') return answer(400, 'bad_request', 'the body is nested too deeply');
  if (code.startsWith('22')) return answer(400, 'bad_request', 'a value is malformed or out of range');
  if (code === '40001' || code === '40P01')
    return answer(409, 'conflict', 'a concurrent change got in the way; send it again');
  return null;
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } =
    failedWithoutKey(req) && !(err instanceof AppError && err.status === 401)
      ? {
          status: 401,
          body: { error: { code: 'unauthorized', message: 'send the write key as HTTP Basic user name' } },
        }
      : toErrorResponse(err, req);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.status(status).send(body);
}
