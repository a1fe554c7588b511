/**
 * `confidant understand`: JSON Lines in (`{"text": "..."}`), one understanding per line out.
 * A bad line gets an error object on its own output line and the rest carry on.
 */
import { once } from 'node:events';
import readline from 'node:readline';
import { createUnderstander } from './index.js';

/** Longer messages are not chat messages; refusing them keeps one line from stalling the stream. */
const MAX_TEXT = 10_000;

type LineResult = { ok: true; text: string } | { ok: false; message: string };

function parseLine(line: string): LineResult {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return { ok: false, message: 'line is not valid JSON' };
  }
  if (!row || typeof row !== 'object' || Array.isArray(row))
    return { ok: false, message: 'expected an object like {"text": "..."}' };
  const text = (row as { text?: unknown }).text;
  if (typeof text !== 'string') return { ok: false, message: '"text" must be a string' };
  if (!text.trim()) return { ok: false, message: '"text" must not be empty' };
  if (text.length > MAX_TEXT) return { ok: false, message: `"text" is longer than ${MAX_TEXT} characters` };
  return { ok: true, text };
}

/**
 * Reads JSON Lines from `input` and writes one JSON object per non-blank line to `output`.
 * Resolves to the exit code: 0 when every line was understood, 1 when any line was bad.
 */
export async function runUnderstandCli(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const understander = createUnderstander();
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bad = 0;
  const write = async (obj: unknown) => {
    // Respect backpressure so a large input piped to a slow reader does not pile up in memory.
    if (!output.write(`${JSON.stringify(obj)}\n`)) await once(output, 'drain');
  };
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    const parsed = parseLine(line);
    if (!parsed.ok) {
      bad++;
      await write({ error: { code: 'bad_request', message: parsed.message, path: `line ${lineNo}` } });
      continue;
    }
    const u = understander.understand(parsed.text);
    await write({ text: u.text, intent: u.intent, confidence: u.confidence, facts: u.facts });
  }
  return bad ? 1 : 0;
}
