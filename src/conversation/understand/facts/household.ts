/** Who the shopper lives with or looks after. */
import { HOUSEHOLD_NOUNS, REL } from './vocabulary.js';
import { rx, wordNumber } from './text.js';
import type { Clause } from './clauses.js';
import type { Draft } from './draft.js';

export function extractHousehold(c: Clause, who: string): Draft[] {
  if (who !== 'self') return [];
  const low = c.low;
  const out: Draft[] = [];
  const have =
    low.match(
      /\b(?:i|we)\s+(?:also\s+|now\s+|just\s+)?(?:have|have got|'ve got|got|own|live with|share (?:a|my|our) (?:home|house|flat|apartment) with|take care of|look after)\s+(.+)$/,
    ) ??
    low.match(/\b(?:i've|we've|ive)\s+(?:also\s+)?got\s+(.+)$/) ??
    low.match(/\b(?:don't|do not|no longer|doesn't)\s+(?:have|own)\s+(.+)$/) ??
    low.match(/^(?:we're|we are)\s+a\s+family\s+of\s+(\w+)/);
  if (!have) {
    const parent = low.match(/\b(?:mom|mum|mother|dad|father|parent)\s+of\s+(\w+)\b/);
    const n = parent && wordNumber(parent[1]!);
    if (n) out.push({ about: 'self', kind: 'household', value: `${parent![1]} kids`, polarity: 'positive' });
    return out;
  }
  const nounRe = rx`^((?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\\d+|my|our|the)\\s+)?((?:[a-z-]+\\s+){0,2}?)(${HOUSEHOLD_NOUNS}|${REL})$`;
  for (const part of have[1]!.split(/\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)\s*/)) {
    const p = part
      .replace(/\s+(?:anymore|any more|at home|now|too|as well|together|who\b.*|that\b.*|and\b.*)$/, '')
      .trim();
    const m = p.match(nounRe);
    if (!m) continue;
    const q = (m[1] ?? '').trim();
    // "live with my partner" -> "partner"; "two kids", "a dog" keep their count word as said.
    const value =
      /^(?:my|our|the)$/.test(q) || !q
        ? `${m[2] ?? ''}${m[3]}`.trim()
        : `${q} ${m[2] ?? ''}${m[3]}`.replace(/\s+/g, ' ').trim();
    if (/^(?:a|an)\s+(?:question|problem|issue|order)/.test(value)) continue;
    out.push({ about: 'self', kind: 'household', value, polarity: 'positive' });
  }
  return out;
}
