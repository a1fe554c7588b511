/** Dated occasions: birthdays, anniversaries, weddings. */
import { MONTH, MONTH_RE, OCCASIONS, REL } from './vocabulary.js';
import { rx } from './text.js';
import { type Clause, isName, relationKey } from './clauses.js';
import type { Draft } from './draft.js';

export function parseDate(low: string): { month: number; day?: number } | undefined {
  let m: RegExpMatchArray | null;
  if ((m = low.match(rx`\\b(${MONTH_RE})\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\b`))) {
    return { month: MONTH[m[1]!.replace('.', '')]!, day: Number(m[2]) };
  }
  if ((m = low.match(rx`\\b(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTH_RE})\\b`))) {
    return { month: MONTH[m[2]!.replace('.', '')]!, day: Number(m[1]) };
  }
  // Numeric dates read month first (US), unless the first number cannot be a month.
  if ((m = low.match(/\b(\d{1,2})[/.](\d{1,2})(?:[/.]\d{2,4})?\b/))) {
    let [a, b] = [Number(m[1]), Number(m[2])];
    if (a > 12 && b <= 12) [a, b] = [b, a];
    if (a >= 1 && a <= 12 && b >= 1 && b <= 31) return { month: a, day: b };
  }
  if ((m = low.match(rx`\\b(?:in|is in|during|early|late|mid)\\s+(${MONTH_RE})\\b`)))
    return { month: MONTH[m[1]!.replace('.', '')]! };
  return undefined;
}

export function extractDate(c: Clause, who: string, last: string | null): Draft[] {
  const low = c.low;
  const date = parseDate(low);
  if (!date) return [];
  const occ = OCCASIONS.find(([re]) => re.test(low));
  if (!occ) return [];
  const occIdx = low.search(occ[0]);
  // The possessor right before the occasion word wins over the clause subject: "my dad's birthday".
  const before = low.slice(0, occIdx);
  let about = who;
  let m: RegExpMatchArray | null;
  if ((m = before.match(rx`\\b(?:my|our)\\s+(${REL})(?:'s)?\\s+(?:\\w+\\s+)?$`))) about = relationKey(m[1]!);
  else if (
    (m = before.match(/\b([a-z]+)'s\s+(?:\w+\s+)?$/)) &&
    isName(m[1]!, c.raw.slice(before.lastIndexOf(m[1]!), before.lastIndexOf(m[1]!) + m[1]!.length))
  )
    about = m[1]!;
  else if (/\b(?:my|our)\s+(?:\w+\s+)?$/.test(before)) about = 'self';
  else if (/\b(?:his|her|their)\s+(?:\w+\s+)?$/.test(before) && last) about = last;
  const value: { occasion: string; month?: number; day?: number } = { occasion: occ[1] };
  value.month = date.month;
  if (date.day !== undefined) value.day = date.day;
  return [{ about: about ?? 'self', kind: 'date', value, polarity: 'positive' }];
}
