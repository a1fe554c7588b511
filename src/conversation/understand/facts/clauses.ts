/** A message cut into clauses, and who each clause is about (the shopper, a relation, a name, or nobody). */
import { BRANDS, MONTH, NOT_NAMES, REL, REL_RE } from './vocabulary.js';
import { rx, rxg } from './text.js';

export interface Clause {
  /** Original casing, used to spot names and brands. */
  raw: string;
  /** Lower case with contractions kept ("i'm", "don't"). */
  low: string;
  /** self, a relation, a name, or null when the clause is a question to us or has no person. */
  subject: string | null;
  /** Where the clause starts in the whole message. */
  start: number;
  /** False when the message is all capitals, so capitals say nothing about names or brands. */
  cased: boolean;
}

/** Where a clause starts a new thought: sentence ends, and ", / and / but" followed by a subject. */
export const SUBJECT_START = `(?:i|i'm|im|i've|i'd|we|we're|we've|our|my|he|she|he's|she's|they|they're|his|her|their|who|whose)\\b`;
export const CLAUSE_SPLIT = new RegExp(
  `(?:[.;!?]+\\s+|[.;!?]+$|\\s+-+\\s+|\\s*,\\s*(?=(?:and\\s+|but\\s+|so\\s+|also\\s+|plus\\s+)?${SUBJECT_START})|\\s+(?:and|but|so|plus|also)\\s+(?=${SUBJECT_START}|now\\b)|,\\s*(?=now\\b)|\\s+(?=who\\b))`,
  'i',
);

export const FILLER =
  /^(?:and|but|so|also|plus|oh|well|maybe|perhaps|probably|i think|i guess|ok|okay|yes|yeah|hey|hi|hello|fyi|btw|by the way|just so you know|just fyi|heads up|note that|remember that|actually|honestly|also|anyway|now|currently|lately|because|cause|cuz|since|though|as you know|for the record|to be clear|just)\b[,:]?\s*/i;

export function splitClauses(text: string): string[] {
  return text
    .split(CLAUSE_SPLIT)
    .map((c) => (c ?? '').trim())
    .filter((c) => c.length > 0);
}

export function isName(word: string, raw: string): boolean {
  return (
    /^[A-Z][a-z]+$/.test(raw) && !NOT_NAMES.has(word) && !REL_RE.test(word) && !(word in MONTH) && !BRANDS.has(word)
  );
}

/** Normalise a relation as said: "mom's" -> "mom", "mother in law" -> "mother-in-law". */
export function relationKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/'s$/, '')
    .replace(/(mother|father|sister|brother) in law/, '$1-in-law')
    .replace(/in laws/, 'in-laws');
}

/** The people a message mentions, in order, so "he"/"she" can be resolved to the last one. */
export function mentions(raw: string): { who: string; at: number }[] {
  const out: { who: string; at: number }[] = [];
  const low = raw.toLowerCase();
  // "my friend Sara" names the person by name.
  const named = rxg`\\b(?:my|our|a)\\s+(?:${REL})\\s+([A-Z][a-z]+)\\b`;
  const namedHits = new Set<number>();
  for (const m of raw.matchAll(named)) {
    if (!isName(m[1]!.toLowerCase(), m[1]!)) continue;
    out.push({ who: m[1]!.toLowerCase(), at: m.index! });
    namedHits.add(m.index!);
  }
  const rel = rxg`\\b(?:my|our|a|for|to)\\s+((?:${REL}))(?:'s)?\\b`;
  for (const m of low.matchAll(rel)) if (!namedHits.has(m.index!)) out.push({ who: relationKey(m[1]!), at: m.index! });
  // Names: a capitalised word in a person slot ("Anna loves", "Jake's birthday", "for Priya").
  const nameSlot =
    /(?:^|[\s,])(?:for |about |to |get |buy )?([A-Z][a-z]+)(?='s\b|\s+(?:loves?|likes?|hates?|adores?|enjoys?|is|wears?|was|has|turns|does|doesn't|can't|prefers|swears|really|only|never)\b)/g;
  for (const m of raw.matchAll(nameSlot)) {
    const w = m[1]!.toLowerCase();
    if (isName(w, m[1]!) && !out.some((o) => o.who === w)) out.push({ who: w, at: m.index! });
  }
  const forName = /\b(?:for|about|get|buy)\s+([A-Z][a-z]+)\b/g;
  for (const m of raw.matchAll(forName)) {
    const w = m[1]!.toLowerCase();
    if (isName(w, m[1]!) && !out.some((o) => o.who === w)) out.push({ who: w, at: m.index! });
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Who a clause is about, from how it opens. `last` is the person most recently mentioned, for
 * pronouns. Questions to us ("do you have...", "what should I...") get no subject.
 */
export function clauseSubject(raw: string, last: string | null): string | null {
  let s = raw;
  let prev = '';
  while (prev !== s) {
    prev = s;
    s = s.replace(FILLER, '');
  }
  // "forget that my mom loves roses" is about mom: look past the request to the fact it names.
  s = s.replace(
    /^(?:please\s+)?(?:(?:you can|can you|could you)\s+)?(?:forget|delete|remove|erase|scratch|ignore)\s+(?:about\s+)?(?:the fact\s+)?(?:that\s+|what i said about\s+)?/i,
    '',
  );
  s = s.replace(/^(?:both|all|all of|both of|each of)\s+(?=my|our)/i, '');
  const low = s.toLowerCase();
  let m: RegExpMatchArray | null;
  if (/^(?:i|i'm|im|i've|i'd|me|we|we're|we've|us|our|myself|ourselves)\b/.test(low)) return 'self';
  if ((m = low.match(rx`^(?:my|our)\\s+(?:${REL})\\s+([a-z]+)\\b`)) && isName(m[1]!, s.split(/\s+/)[2] ?? ''))
    return m[1]!;
  if ((m = low.match(rx`^(?:my|our)\\s+(${REL})(?:'s)?\\b`))) return relationKey(m[1]!);
  if (/^my\b/.test(low)) return 'self'; // "my shoe size is 10", "my favourite colour is green"
  if (/^(?:he|she|they|he's|she's|they're|his|her|their|who|whose|him)\b/.test(low)) return last;
  if ((m = low.match(rx`^(${REL})(?:'s)?\\b`))) return relationKey(m[1]!);
  const first = s.match(/^([A-Za-z]+)/)?.[1] ?? '';
  if (
    first &&
    isName(first.toLowerCase(), first) &&
    /^[A-Za-z]+(?:'s\b|\s+(?:loves?|likes?|hates?|adores?|enjoys?|is|wears?|was|has|turns|does|doesn't|can't|prefers|swears|really|only|never|just)\b)/.test(
      s,
    )
  ) {
    return first.toLowerCase();
  }
  // Questions and requests to us.
  if (
    /^(?:what|when|where|why|how|which|who|do|does|did|can|could|would|will|is|are|should|you|your|any|show|find|got|have|has|search|searching|looking|need|want|give|get|help|recommend|suggest|pick|please|tell|send)\b/.test(
      low,
    )
  )
    return null;
  // Verbless openings such as "allergic to soy", "big fan of jazz", "veggie here": the shopper.
  return 'self';
}
