/**
 * Scores the local understander against a labelled JSON Lines file (default: the shared dev set)
 * and prints intent accuracy, per-intent precision/recall/F1, fact precision/recall/F1 and the
 * confusions. Usage: npm run eval:understanding [-- path/to/file.jsonl] [--now 2026-11-24T15:00:00Z]
 * (`--now`: the moment the messages are read at, for dates said relative to it; default: now).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUnderstander } from '../src/conversation/understand/index.js';
import { INTENTS, type Fact, type Intent } from '../src/conversation/understand/types.js';

interface Gold {
  text: string;
  intent: Intent;
  facts?: Fact[];
}

/** JSON with object keys sorted, so {"item","size"} and {"size","item"} compare equal. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(typeof v === 'string' ? v.trim() : v);
}

const factKey = (f: Fact) => `${String(f.about).toLowerCase()}|${f.kind}|${f.polarity}|${canonical(f.value)}`;

function main() {
  // Default: shared/ beside the project root (this script lives in <root>/scripts).
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const nowAt = args.indexOf('--now');
  const now = nowAt >= 0 ? new Date(args.splice(nowAt, 2)[1]!) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error('--now needs an ISO date-time');
  const file = args[0] ? path.resolve(args[0]) : path.join(root, '..', 'shared', 'understanding', 'dev.jsonl');
  const gold: Gold[] = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Gold);

  const t0 = performance.now();
  const understander = createUnderstander();
  const trainMs = performance.now() - t0;

  const tp = new Map<Intent, number>();
  const fp = new Map<Intent, number>();
  const fn = new Map<Intent, number>();
  const inc = (m: Map<Intent, number>, k: Intent) => m.set(k, (m.get(k) ?? 0) + 1);
  const confusions: string[] = [];
  const factErrors: string[] = [];
  let correct = 0;
  let factTp = 0;
  let factPred = 0;
  let factGold = 0;

  const t1 = performance.now();
  for (const g of gold) {
    const u = understander.understand(g.text, { now });
    if (u.intent === g.intent) {
      correct++;
      inc(tp, g.intent);
    } else {
      inc(fp, u.intent);
      inc(fn, g.intent);
      confusions.push(`  ${g.intent} -> ${u.intent} (${u.confidence.toFixed(2)})  ${JSON.stringify(g.text)}`);
    }
    const want = (g.facts ?? []).map(factKey);
    const got = u.facts.map(factKey);
    factGold += want.length;
    factPred += got.length;
    const left = [...want];
    let hit = 0;
    for (const k of got) {
      const i = left.indexOf(k);
      if (i >= 0) {
        left.splice(i, 1);
        hit++;
      }
    }
    factTp += hit;
    if (hit !== want.length || hit !== got.length) {
      factErrors.push(`  ${JSON.stringify(g.text)}\n    want ${JSON.stringify(want)}\n    got  ${JSON.stringify(got)}`);
    }
  }
  const perMsgMs = (performance.now() - t1) / gold.length;

  const f1 = (p: number, r: number) => (p + r ? (2 * p * r) / (p + r) : 0);
  const fmt = (x: number) => x.toFixed(3);
  console.log(`file: ${file} (${gold.length} messages)`);
  console.log(`training: ${trainMs.toFixed(0)} ms; per message: ${perMsgMs.toFixed(2)} ms`);
  console.log(`\nintent accuracy: ${fmt(correct / gold.length)} (${correct}/${gold.length})\n`);
  console.log('intent               prec   rec    f1     n');
  for (const intent of INTENTS) {
    const t = tp.get(intent) ?? 0;
    const n = t + (fn.get(intent) ?? 0);
    const predicted = t + (fp.get(intent) ?? 0);
    if (!n && !predicted) continue;
    const p = predicted ? t / predicted : 0;
    const r = n ? t / n : 0;
    console.log(`${intent.padEnd(20)} ${fmt(p)}  ${fmt(r)}  ${fmt(f1(p, r))}  ${n}`);
  }
  const fp_ = factPred ? factTp / factPred : 1;
  const fr = factGold ? factTp / factGold : 1;
  console.log(
    `\nfacts: precision ${fmt(fp_)}  recall ${fmt(fr)}  f1 ${fmt(f1(fp_, fr))}  (${factTp} matched, ${factPred} predicted, ${factGold} expected)`,
  );
  console.log(`\nconfusions (${confusions.length}):`);
  console.log(confusions.join('\n') || '  none');
  console.log(`\nfact mismatches (${factErrors.length}):`);
  console.log(factErrors.join('\n') || '  none');
}

main();
