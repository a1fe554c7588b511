/**
 * What /openapi.json says beyond each route's own schema: every error answer an operation can give, each with the one
 * error body of the API (`{"error": {"code", "message", "path"}}`), added to every route as it is registered.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { RouteOptions } from 'fastify';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'validation_failed, bad_request, unauthorized, not_found, conflict, ...' }),
      message: Type.String(),
      path: Type.Optional(
        Type.String({ description: 'Where: a JSON pointer into the request (/body/orders/1/placed_at)' }),
      ),
    }),
  },
  { $id: 'Error', title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

const WHY: Record<number, string> = {
  400: 'The request is malformed or a value is invalid; `path` says where, and nothing was stored',
  401: 'No key or token, or a wrong one (checked before anything else)',
  403: 'The caller may not do this (a purpose the person did not grant)',
  404: 'Nothing here: an unknown id, or one of someone else',
  409: 'It conflicts with what is stored (an id that belongs to another, a change under way)',
  413: 'The body is too large (32 KB an event, 500 KB a batch or a body)',
  415: 'The body is not JSON (tracking routes take any label, gzip and deflate)',
  422: 'Well-formed, but it cannot be done as asked (it refers to something that is not there)',
  429: 'Too many requests; try again later',
};

/** The error statuses of a route: by what it takes (a body, path parameters, a key) and whether it writes. */
export function errorStatuses(route: Pick<RouteOptions, 'method' | 'schema'>): number[] {
  const schema = (route.schema ?? {}) as { body?: unknown; security?: unknown[] };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const writes = methods.some((m) => m !== 'GET' && m !== 'HEAD');
  const out = [400, 404];
  if (schema.security?.length) out.push(401, 403);
  if (writes) out.push(409, 422);
  if (schema.body) out.push(413, 415);
  return out.sort();
}

/** Adds the error answers to a route's schema (those it declares itself are kept). */
export function documentErrors(route: RouteOptions) {
  const schema = route.schema as ({ hide?: boolean; response?: Record<string, unknown> } & object) | undefined;
  if (!schema || schema.hide) return;
  schema.response ??= {};
  for (const status of errorStatuses(route)) schema.response[status] ??= { description: WHY[status], $ref: 'Error#' };
}
