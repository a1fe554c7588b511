/**
 * Reading a JSON body: the one parser of every route. Besides JSON.parse it refuses what PostgreSQL or the rest of the
 * server cannot hold as sent, each with the path of the value: nesting deeper than MAX_DEPTH (a stack overflow
 * further on), NUL characters (text and jsonb refuse them) and lone UTF-16 surrogates (UTF-8 cannot carry them, so
 * they would be stored as U+FFFD and two ids would become one), in keys as in values.
 */
import { AppError } from '../errors.js';

export const MAX_DEPTH = 64;

/** A number written where an id (userId) is expected, kept as its text until the id is checked (see `numericIds`). */
export const DECIMAL = '$confidant_decimal';

/**
 * Parses `text` (a request body) and checks it. `numericIds` names keys whose numeric values are kept as their exact
 * text (`{"$confidant_decimal": "12345678901234567890"}`), since JSON.parse would round them (Node 20 has no access to
 * a number's source text).
 */
export function parseJsonBody(text: string, numericIds?: RegExp, onMarked?: () => void): unknown {
  if (/^\s*$/.test(text)) return undefined;
  if (numericIds)
    text = text.replace(numericIds, (_, key: string, num: string) => {
      onMarked?.();
      return `${key}{"${DECIMAL}":"${num}"}`;
    });
  let body: unknown;
  try {
    // V8's JSON.parse does not recurse: any depth parses; the walk below stops at MAX_DEPTH.
    body = JSON.parse(text);
  } catch (e) {
    throw new AppError('bad_request', `the body is not valid JSON: ${(e as Error).message}`, '/body');
  }
  // Only a \u escape can put a NUL or a lone surrogate in a parsed string (raw control characters are not JSON, and
  // UTF-8 decoding turns broken bytes into U+FFFD): strings are looked at only when the text has one.
  const keys: string[] = [];
  const bad = check(body, 0, text.includes('\\u'), keys);
  if (bad)
    throw new AppError(
      'validation_failed',
      bad,
      `/body${keys.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`,
    );
  return body;
}

/** What is wrong first, leaving its path in `keys`: too deep, or (when `strings`) a NUL or lone surrogate. */
function check(v: unknown, depth: number, strings: boolean, keys: string[]): string | null {
  if (typeof v === 'string') return strings ? stringProblem(v) : null;
  if (typeof v !== 'object' || v === null) return null;
  if (depth >= MAX_DEPTH) {
    keys.length = 0; // the body as a whole is refused
    return `the body is nested more than ${MAX_DEPTH} levels deep`;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      keys.push(String(i));
      const bad = check(v[i], depth + 1, strings, keys);
      if (bad) return bad;
      keys.pop();
    }
    return null;
  }
  for (const k in v) {
    keys.push(k);
    const bad =
      (strings ? stringProblem(k, 'key') : null) ?? check((v as Record<string, unknown>)[k], depth + 1, strings, keys);
    if (bad) return bad;
    keys.pop();
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringProblem(s: string, what = 'value'): string | null {
  if (s.includes('\u0000')) return `a ${what} may not contain a NUL character (\\u0000)`;
  if (LONE_SURROGATE.test(s)) return `a ${what} may not contain a lone UTF-16 surrogate (it is not a character)`;
  return null;
}
