import { FormatRegistry, Kind, type TSchema, type Static, Type, TypeRegistry } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { AppError } from './errors.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/i;

/**
 * An ISO 8601 date-time that PostgreSQL's timestamptz holds as written: a year 0001-9999, a real day of the month,
 * hours 0-23, and an offset within +-15:59 (PostgreSQL refuses more). `zone: true` also requires the offset (RFC 3339).
 */
export function isTimestamp(v: string, opts: { zone?: boolean } = {}): boolean {
  const m = ISO.exec(v);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(2000, month, 0)).getUTCDate() || (month === 2 && day === 29 && !leap(year))) return false;
  if (m[4] === undefined) return !opts.zone;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) return false;
  if (m[7] === undefined) return !opts.zone;
  if (m[9] !== undefined && (Number(m[9]) > 15 || Number(m[10]) > 59)) return false;
  return true;
}
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => isTimestamp(v));
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v));

/** Checks a value against a TypeBox schema and throws the first problem with its field path. */
// Imports check every line: a compiled checker is many times faster than interpreting the schema.
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function checkValue<S extends TSchema>(schema: S, value: unknown, where = ''): Static<S> {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(value)) return value as Static<S>;
  const first = check.Errors(value).First();
  const path = first?.path ?? '';
  const field = path ? path.slice(1).replace(/\//g, '.') : 'value';
  throw new AppError('validation_failed', `${field}: ${first?.message ?? 'is invalid'}`, `${where}${path}`);
}

/** A date-time without a zone (as in many CSV exports) is read as UTC. */
export function toIsoTime(v: string): string {
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) return `${s.replace(' ', 'T')}Z`;
  return s;
}

/** A string that is one of `values`; errors list them (a union of literals would only say "must be equal to constant"). */
export const StringEnum = <const T extends readonly string[]>(values: T, opts: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ [Kind]: 'StringEnum', type: 'string', enum: [...values], ...opts });
if (!TypeRegistry.Has('StringEnum'))
  TypeRegistry.Set(
    'StringEnum',
    (schema: { enum: string[] }, value) => typeof value === 'string' && schema.enum.includes(value),
  );

/** Refuses the same id twice in one request (the second is named): it would be two writes of one row. */
export function refuseRepeats<T>(rows: T[], key: (r: T) => string, where: (i: number) => string) {
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const k = key(r);
    const first = seen.get(k);
    if (first !== undefined)
      throw new AppError('validation_failed', `"${k}" is already at ${where(first)}: send each once`, where(i));
    seen.set(k, i);
  });
}
