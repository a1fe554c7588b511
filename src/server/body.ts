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
  if (text.length === 0 || /^\s*$/.test(text)) return undefined;
  const depth = scan(text);
  if (depth.max > MAX_DEPTH)
    throw new AppError('validation_failed', `the body is nested more than ${MAX_DEPTH} levels deep`, '/body');
  if (numericIds)
    text = text.replace(numericIds, (_, key: string, num: string) => {
      onMarked?.();
      return `${key}{"${DECIMAL}":"${num}"}`;
    });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new AppError('bad_request', `the body is not valid JSON: ${(e as Error).message}`, '/body');
  }
  // Only a \u escape can put a NUL or a lone surrogate in a parsed string (raw control characters are not JSON, and
  // UTF-8 decoding turns broken bytes into U+FFFD): the walk runs only when the text has one.
  if (depth.escapes) {
    const bad = findBadString(body, '/body');
    if (bad) throw new AppError('validation_failed', bad.message, bad.path);
  }
  return body;
}

/** The deepest nesting of `text` (outside strings), and whether it has any \u escape. One pass, no allocation. */
function scan(text: string): { max: number; escapes: boolean } {
  let depth = 0;
  let max = 0;
  let escapes = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) {
        if (text.charCodeAt(i + 1) === 117 /* u */) escapes = true;
        i++;
      } else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) max = depth;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return { max, escapes };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string (key or value) holding a NUL or a lone surrogate, with its path. */
export function findBadString(v: unknown, path: string): { path: string; message: string } | null {
  if (typeof v === 'string') return stringProblem(v, path);
  if (typeof v !== 'object' || v === null) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = findBadString(v[i], `${path}/${i}`);
      if (bad) return bad;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const bad = stringProblem(k, at, 'key') ?? findBadString(x, at);
    if (bad) return bad;
  }
  return null;
}

function stringProblem(s: string, path: string, what = 'value') {
  if (s.includes('\u0000')) return { path, message: `a ${what} may not contain a NUL character (\\u0000)` };
  if (LONE_SURROGATE.test(s))
    return { path, message: `a ${what} may not contain a lone UTF-16 surrogate (it is not a character)` };
  return null;
}
