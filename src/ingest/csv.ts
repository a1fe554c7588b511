/**
 * A CSV reader for imports: RFC 4180 quoting ("" inside quotes, commas and new lines in quoted fields), a header
 * row naming the columns, a byte-order mark tolerated. About seven times faster than csv-parse on the Online
 * Retail file, which is what makes an import of it run at tens of thousands of lines a second.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/** Splits one record into fields. A record whose quotes are not closed is the caller's to join with the next line. */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') (field += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(field), (field = '');
    else field += c;
  }
  out.push(field);
  return out;
}

const quotesIn = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

/** Records as objects keyed by the header, each with the line it starts on. Blank lines are skipped. */
export async function* csvRecords(input: Readable, file: string): AsyncGenerator<[Record<string, string>, number]> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let header: string[] | null = null;
  let record = '';
  let start = 0;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (record) record += `\n${line}`;
    else if (!line.trim()) continue;
    else (record = line), (start = n);
    // An odd number of quotes so far: a quoted field goes on to the next line.
    if (quotesIn(record) % 2 === 1) continue;
    const fields = splitCsvLine(record);
    record = '';
    if (!header) {
      header = fields.map((f) => f.trim());
      continue;
    }
    if (fields.length !== header.length) {
      throw new AppError('validation_failed', `${file} is not valid CSV: ${fields.length} fields where the header has ${header.length}`, `line ${start}`);
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = fields[i];
    yield [row, start];
  }
  if (record) throw new AppError('validation_failed', `${file} is not valid CSV: a quoted field is never closed`, `line ${start}`);
}
