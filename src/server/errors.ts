import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

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
    const message = missing
      ? `${missing} is required`
      : allowed
        ? `${field}must be one of: ${allowed.join(', ')}`
        : `${field}${first?.message ?? 'is invalid'}`;
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
    return { status: 415, body: { error: { code: 'bad_request', message: e.message } } };
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
  // PostgreSQL errors that come from bad input rather than from a bug.
  const pgCode = (err as { code?: string }).code;
  if (pgCode === '22P02' || pgCode === '22007' || pgCode === '22008' || pgCode === '22003' || pgCode === '22021') {
    return { status: 400, body: { error: { code: 'bad_request', message: (err as Error).message } } };
  }
  if (pgCode === '23505') return { status: 409, body: { error: { code: 'conflict', message: 'that already exists' } } };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: { code: 'bad_request', message: e.message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'something went wrong on our side' } } };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toErrorResponse(err, req);
  if (status >= 500) req.log.error({ err }, 'request failed');
  return reply.status(status).send(body);
}
