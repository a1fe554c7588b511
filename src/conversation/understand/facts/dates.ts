/** Dated occasions: birthdays, anniversaries, weddings. */
import { MONTH, MONTH_RE, OCCASIONS, REL } from './vocabulary.js';
import { rx } from './text.js';
import { type Clause, isName, relationKey } from './clauses.js';
import type { Draft } from './draft.js';

/** The shopper's calendar day, for "next month", "tomorrow", "on Saturday". */
export interface Today {
  year: number;
  month: number;
  day: number;
}

/** The calendar day `now` falls on in `timeZone` (UTC when none is given). */
export function localToday(now: Date, timeZone = 'UTC'): Today {
  const parts: Record<string, number> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(now))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day! };
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const COUNT: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  few: 3,
  couple: 2,
};

/** A day said relative to today: "next month" (month only), "tomorrow", "in two weeks", "this saturday". */
function relativeDate(low: string, today: Today): { month: number; day?: number } | undefined {
  const base = Date.UTC(today.year, today.month - 1, today.day);
  const at = (days: number, withDay = true) => {
    const d = new Date(base + days * 86400000);
    return withDay ? { month: d.getUTCMonth() + 1, day: d.getUTCDate() } : { month: d.getUTCMonth() + 1 };
  };
  let m: RegExpMatchArray | null;
  if (/\bnext month\b/.test(low)) return { month: (today.month % 12) + 1 };
  if (/\b(?:this month|later this month|end of (?:the|this) month)\b/.test(low)) return { month: today.month };
  if (/\b(?:day after tomorrow)\b/.test(low)) return at(2);
  if (/\b(?:tomorrow|tmrw|tmr)\b/.test(low)) return at(1);
  if (/\b(?:today|tonight)\b/.test(low)) return at(0);
  if (/\bnext week\b/.test(low)) {
    const a = at(7 - new Date(base).getUTCDay() + 1, false);
    const b = at(7 - new Date(base).getUTCDay() + 7, false);
    return a.month === b.month ? a : undefined;
  }
  if ((m = low.match(/\bin\s+(\d+|a|an|one|two|three|four|five|six|a few|a couple of)\s+(days?|weeks?)\b/))) {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : COUNT[m[1]!.replace(/^a (few|couple of)$/, '$1').replace(' of', '')];
    if (n) return at(n * (m[2]!.startsWith('week') ? 7 : 1));
  }
  if (
    (m = low.match(/\b(?:(this|next|on|coming)\s+)?(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/)) &&
    m[1]
  ) {
    const want = WEEKDAYS.indexOf(m[2]!);
    let ahead = (want - new Date(base).getUTCDay() + 7) % 7 || 7;
    if (m[1] === 'next' && ahead < 7 && /\bnext week\b/.test(low)) ahead += 7;
    return at(ahead);
  }
  return undefined;
}

export function parseDate(low: string, today?: Today): { month: number; day?: number } | undefined {
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
  return today ? relativeDate(low, today) : undefined;
}

export function extractDate(c: Clause, who: string, last: string | null, today?: Today): Draft[] {
  const low = c.low;
  const date = parseDate(low, today);
  if (!date) return [];
  const occ = OCCASIONS.find(([re]) => re.test(low));
  if (!occ) return [];
  const occIdx = low.search(occ[0]);
  // The possessor right before the occasion word wins over the clause subject: "my dad's birthday".
  const before = low.slice(0, occIdx);
  let about = who;
  let m: RegExpMatchArray | null;
  if ((m = before.match(rx`\\b(?:my|our)\\s+(${REL})(?:'s|s)?\\s+(?:\\w+\\s+)?$`))) about = relationKey(m[1]!);
  else if ((m = before.match(rx`(?:^|\\s)(${REL})(?:'s|s)\\s+(?:\\w+\\s+)?$`))) about = relationKey(m[1]!);
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
