/**
 * Request schemas are checked by two Ajv instances: bodies exactly as sent (no coercion: "3" is not a number, false
 * is not a string), and the query string and path parameters, which are text by nature, with coercion to the type
 * the schema asks for ("?limit=10" is the integer 10).
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isTimestamp } from '../validation.js';

const common: Options = {
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false, // all errors of a crafted body cost time (a DoS); the first is answered
  strict: false,
};

function make(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  // RFC 3339 with what PostgreSQL can hold: an offset within +-15:59, a year 0001-9999, a real day.
  ajv.addFormat('date-time', { type: 'string', validate: (v: string) => isTimestamp(v, { zone: true }) });
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = make({ coerceTypes: false, discriminator: true });
  const text = make({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}
