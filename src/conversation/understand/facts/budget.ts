/** Budgets: an amount, its currency and what it is for. */
import { CURRENCY, REL } from './vocabulary.js';
import { cleanPhrase, rx } from './text.js';
import { type Clause, relationKey } from './clauses.js';
import type { Draft } from './draft.js';

export function parseAmount(num: string, k?: string): number {
  const n = Number(num.replace(/,/g, ''));
  return k ? n * 1000 : n;
}

export const MONEY = `(?:([$£€])\\s?(\\d[\\d,]*(?:\\.\\d+)?)(k)?|(\\d[\\d,]*(?:\\.\\d+)?)(k)?\\s?(dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid)\\b)`;
export const MONEY_RE = new RegExp(MONEY);
export const BUDGET_CUE = `(?:never\\s+(?:spend\\s+|pay\\s+)?(?:more than|over|above)|(?:can't|cannot|can not|don't want to|do not want to|won't|will not|not willing to|unwilling to|rather not)\\s+(?:spend|pay)\\s+(?:more than|over|above|much more than)|(?:spend|pay)\\s+(?:up to|at most|no more than|max(?:imum)?)|under|below|less than|no more than|not more than|nothing (?:over|above|more than)|max(?:imum)?(?: of)?|up to|at most|within|budget(?: is| of|:)?|around|about|spend(?:ing)?|cheaper than|tops|for under|for less than|(?:my|our|the) budget is|budget's|no higher than|not over|not above)`;

export function currencyOf(sym: string | undefined): string {
  const v = (sym ?? '').toLowerCase();
  return CURRENCY.find(([re]) => re.test(v))?.[1] ?? 'USD';
}

export function extractBudget(c: Clause, text: string, who: string): Draft[] {
  const low = c.low;
  let m: RegExpMatchArray | null;
  let max: number | undefined;
  let currency = 'USD';
  let at = -1;
  const num = `(\\d[\\d,]*(?:\\.\\d+)?)(k)?`;
  const unit = `\\s?(dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid)?`;
  // "$50-100", "between £40 and £60", "50 to 80 dollars": the upper end is the max.
  const range = rx`(?:\\bbetween\\s+)?([$£€])?\\s?${num}${unit}\\s*(?:-|–|to|and)\\s*([$£€])?\\s?${num}${unit}`;
  const withCue = rx`\\b${BUDGET_CUE}\\s*:?\\s*${MONEY}`;
  const after = rx`${MONEY}\\s*(?:or less|or under|max|maximum|tops|at most|budget|or below)`;
  const bare = rx`\\b${BUDGET_CUE}\\s*:?\\s*(\\d[\\d,]*(?:\\.\\d+)?)(k)?\\b(?!\\s*(?:%|percent|days?|weeks?|months?|years?|yrs?|lbs?|kg|inch|inches|in\\b|cm|mm|ft|feet|minutes?|hours?|items?|people|guests|kids|year))`;
  const money = (g: RegExpMatchArray): [number, string] =>
    g[1] ? [parseAmount(g[2]!, g[3]), currencyOf(g[1])] : [parseAmount(g[4]!, g[5]), currencyOf(g[6])];
  if (
    (m = low.match(range)) &&
    (m[1] || m[4] || m[5] || m[8]) &&
    (/\bbetween\b/.test(m[0]) || /[-–]|\bto\b/.test(m[0]))
  ) {
    max = parseAmount(m[6]!, m[7]);
    currency = currencyOf(m[5] ?? m[8] ?? m[1] ?? m[4]);
    at = m.index!;
  } else if ((m = low.match(withCue)) || (m = low.match(after))) {
    const g = m[0].match(MONEY_RE)!;
    [max, currency] = money(g);
    at = m.index!;
  } else if ((m = low.match(bare)) && !/\bsize\b/.test(low.slice(Math.max(0, m.index! - 8), m.index!))) {
    max = parseAmount(m[1]!, m[2]);
    at = m.index!;
  }
  if (max === undefined || !Number.isFinite(max)) return [];
  const product = budgetProduct(text.toLowerCase(), c.start + at);
  const value: { max: number; currency: string; for?: string } = { max, currency };
  if (product) value.for = product;
  // A budget for someone else's gift is about that person.
  const forWho = text.toLowerCase().match(rx`\\bfor\\s+(?:my|our)\\s+(${REL})\\b`);
  return [{ about: forWho ? relationKey(forWho[1]!) : who, kind: 'budget', value, polarity: 'positive' }];
}

/** The thing a budget is for: the noun phrase of the request ("I need a rain jacket under $150"). */
export function budgetProduct(low: string, cueAt: number): string | undefined {
  const head = low.slice(0, cueAt);
  const lead =
    /^(?:.*?\b(?:(?:want|need|would like|'d like|wanna|going) to (?:buy|get|find|order|purchase)|need|want|looking for|look for|searching for|search for|shopping for|find me|find|show me|get me|buy|buying|after|hunting for|do you have|got any|have you got|any|recommend|suggest|choose|pick|is there)\s+)?(.*)$/;
  let np = head.match(lead)?.[1] ?? head;
  np = np.replace(/^(?:i'm|i am|im|i|we|we're)\s+/, '');
  np = np
    .split(
      /\s*(?:[,;.!?]|\b(?:for\b|that(?:'s| is)?\b|which|with|in (?:size|blue|red|black)\b|my budget|budget|max|maximum|that's|for under|for less)\b)/,
    )[0]!
    .replace(/\s+(?:for|that'?s?|is|are|costs?|priced)$/, '');
  // "what gift would you recommend under $40": the request names its object before the verb.
  if (!np.trim())
    np =
      head.match(
        /\b(?:what|which|a|an|some|any)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\s+(?:would|should|do|can|could|is|are|might)\b/,
      )?.[1] ?? '';
  np = np.trim().replace(/\s+(?:ideas?|suggestions?|options?|recommendations?|recs)$/, '');
  const v = cleanPhrase(
    np
      .replace(/^(?:a|an|the|some|any|new|nice|good|cheap|decent)\s+/, '')
      .replace(/^(?:new|nice|good|cheap|decent)\s+/, ''),
  );
  if (!v || v.split(' ').length > 5 || /^(?:something|anything|it|one|this|that|stuff|things?|me|help)$/.test(v))
    return undefined;
  return v;
}
