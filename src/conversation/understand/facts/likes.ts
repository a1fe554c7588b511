/** Likes, dislikes and brands (liked, bought, avoided). */
import type { FactKind } from '../types.js';
import { BRANDS, DIETS, GIVE_UP, GIVEN_UP_WORDS, HABIT_VERBS, MONTH, NOT_NAMES } from './vocabulary.js';
import { ARTICLE, cleanPhrase, FILLER_WORDS, rx, splitList } from './text.js';
import { dietOfFood } from './diet.js';
import type { Clause } from './clauses.js';
import type { Draft } from './draft.js';

/** Verbs of liking; `neg` marks ones that mean disliking. Longest first so "not a fan of" wins over "fan of". */
export const LIKE_VERBS: { re: string; neg: boolean }[] = [
  {
    re: `(?:do not|don't|does not|doesn't|did not|didn't)\\s+(?:really\\s+)?(?:like|love|enjoy|care for|dig)`,
    neg: true,
  },
  { re: `(?:can't|cannot|can not|could not|couldn't)\\s+stand`, neg: true },
  {
    re: `(?:(?:am|is|are|i'm|im|he's|she's|we're|they're)?\\s*not|isn't|aren't|ain't|wasn't)\\s+(?:really\\s+|much\\s+of\\s+)?(?:a\\s+)?(?:big\\s+|huge\\s+)?(?:fan|fans)\\s+of`,
    neg: true,
  },
  {
    re: `(?:(?:am|is|are|i'm|im|he's|she's|we're|they're)?\\s*not|isn't|aren't|ain't|wasn't)\\s+(?:really\\s+|very\\s+|too\\s+)?(?:into|big on|keen on|crazy about|fond of)`,
    neg: true,
  },
  {
    re: `(?:really\\s+|absolutely\\s+|kind of\\s+|kinda\\s+)?(?:hate|hates|hated|dislike|dislikes|despise|despises|detest|detests|loathe|loathes)`,
    neg: true,
  },
  {
    re: `(?:am|is|are|i'm|im|he's|she's|we're|they're|[a-z]+'s)\\s+(?:really\\s+|totally\\s+|super\\s+|so\\s+|very\\s+|big\\s+|huge\\s+|getting\\s+|also\\s+)?(?:into|obsessed with|crazy about|passionate about|mad about|fond of|keen on|big on|nuts about)`,
    neg: false,
  },
  { re: `(?:a\\s+)?(?:big|huge|massive|great)\\s+fans?\\s+of`, neg: false },
  { re: `fans?\\s+of`, neg: false },
  {
    re: `(?:really\\s+|also\\s+|absolutely\\s+|just\\s+|totally\\s+|kinda\\s+|still\\s+|both\\s+|all\\s+)?(?:love|loves|loved|adore|adores|enjoy|enjoys|like|likes|liked|dig|digs|prefer|prefers|swear by|swears by|(?:am|is|are|i'm|im|he's|she's|we're)\\s+(?:very\\s+|really\\s+)?loyal to)`,
    neg: false,
  },
  { re: `(?:really\\s+|also\\s+)?into`, neg: false },
];

export const likeVerbCache = new Map<string, RegExp>();
export function likeVerbRe(verb: string): RegExp {
  let r = likeVerbCache.get(verb);
  if (!r) likeVerbCache.set(verb, (r = new RegExp(`(^|[\\s,])(${verb})\\s+(.+)$`, 'g')));
  return r;
}

/** Objects that are not a preference: pronouns, and "I'd like to return..." style requests. */
export const NOT_AN_OBJECT =
  /^(?:it|that|this|them|those|these|you|u|your|yours|him|her|me|us|one|ones|the idea|to (?:return|cancel|know|order|buy|get|see|talk|speak|change|track|have|receive|exchange|send|pay|ask|find|check|add|remove|make|update)\b|when|how|what|if|shopping with you|your)\b/;

export function extractLikes(c: Clause, who: string, retracting: boolean): Draft[] {
  const out: Draft[] = [];
  const low = c.low;
  // Verb spans already used, so "fan of" inside "not a fan of" is not read again.
  const claimed: [number, number][] = [];
  for (const { re, neg } of LIKE_VERBS) {
    const verb = likeVerbRe(re);
    for (const m of low.matchAll(verb)) {
      const start = m.index! + m[1]!.length;
      if (claimed.some(([a, b]) => start >= a && start < b)) continue;
      const verbText = m[2]!.trim();
      const before = low.slice(0, start);
      // "I'd like", "would love", "you like", "what do you like": requests or questions, not preferences.
      if (
        /(?:'d|would|you|u|to|if|what|which|might|may|will|'ll|i think|think|looks?|seems?|feels?|something|anything|stuff|things|sounds?)\s*$/.test(
          before,
        )
      )
        continue;
      // Bare "like" is a preposition as often as a verb ("something like this"): only after a subject.
      if (
        /^(?:like|liked)$/.test(verbText) &&
        !/(?:^|\s)(?:i|we|they|who|do|did|really|also|just|kinda|totally|still|both|all|longer|never|[a-z]+s)\s*$/.test(
          before,
        ) &&
        before.trim() !== ''
      )
        continue;
      if (
        /^into$/.test(verbText) &&
        !/(?:really|also|totally|super|very|getting|so)\s*$/.test(before) &&
        before.trim() !== ''
      )
        continue;
      let obj = m[3]!;
      obj = obj.split(
        /\s*(?:[,.;!?]|\s-\s|\b(?:but|so|because|since|though|although|which|that is|when|if|for (?:his|her|my|their|our) (?:birthday|anniversary)|any (?:ideas?|suggestions?|recommendations?|good)|what|can you|could you|please|right now|lately)\b)/,
      )[0]!;
      obj = obj.replace(/\s+(?:over|rather than|more than|instead of)\s+.*$/, '');
      // "my budget is like 50 bucks": "like" as filler before an amount.
      if (NOT_AN_OBJECT.test(obj.trim()) || /^[\d$£€]/.test(obj.trim())) continue;
      claimed.push([start, start + m[2]!.length]);
      // Keep the original casing of the object to tell brands ("Patagonia") from things ("hiking").
      const rawStart = c.raw.toLowerCase().indexOf(obj, start);
      const rawObj = rawStart >= 0 ? c.raw.slice(rawStart, rawStart + obj.length) : obj;
      const negated = neg;
      for (const item of splitList(obj)) {
        if (!item || item.split(' ').length > 6 || NOT_AN_OBJECT.test(item)) continue;
        const brand = brandOf(item, rawObj, c.cased);
        if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: negated ? 'negative' : 'positive' });
        else {
          // "I don't like jazz anymore" retracts the like, it does not add a dislike.
          const kind: FactKind =
            negated && !retracting
              ? 'dislike'
              : negated && retracting
                ? /(hate|dislike|despise|detest|loathe)/.test(verbText)
                  ? 'dislike'
                  : 'like'
                : 'like';
          out.push({ about: who, kind, value: item, polarity: kind === 'dislike' ? 'negative' : 'positive' });
        }
      }
    }
  }
  // "I like dark chocolate but not milk chocolate"
  const butNot = low.match(/\bbut not\s+([^,.;!?]+)/);
  if (butNot && out.some((d) => d.kind === 'like' || (d.kind === 'brand' && d.polarity === 'positive'))) {
    for (const item of splitList(butNot[1]!)) {
      const brand = brandOf(item, item, false);
      out.push(
        brand
          ? { about: who, kind: 'brand', value: brand, polarity: 'negative' }
          : { about: who, kind: 'dislike', value: item, polarity: 'negative' },
      );
    }
  }
  // "my favourite colour is green", "my favorite brand is Nike"
  const fav = low.match(/\bfavou?rite\s+(\w+(?:\s+\w+)?)\s+(?:is|are)\s+([^,.;!?]+)/);
  if (fav) {
    const [, what, val] = fav;
    const raw = c.raw.slice(c.raw.toLowerCase().indexOf(val!), c.raw.toLowerCase().indexOf(val!) + val!.length);
    const brand = brandOf(cleanPhrase(val!), raw, c.cased) ?? (what === 'brand' ? cleanPhrase(val!) : undefined);
    if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: 'positive' });
    else for (const item of splitList(val!)) out.push({ about: who, kind: 'like', value: item, polarity: 'positive' });
  }
  // "my brother is a huge football fan", "I'm a big Samsung person"
  const fanOf = low.match(
    /\b(?:am|is|are|i'm|im|he's|she's|we're|they're)\s+(?:(?:a|an)\s+)?(?:big\s+|huge\s+|massive\s+|total\s+|die-?hard\s+|such\s+)?((?!not\b|allergic\b)[a-z0-9'&.-]+(?:\s+[a-z0-9'&.-]+){0,2}?)\s+(?:fans?|lovers?|addicts?|person|people|guy|girl|junkies?|fanatics?|enthusiasts?)\b/,
  );
  if (fanOf && !/\b(?:size|small|medium|large)\b/.test(fanOf[1]!)) {
    const rawStart = c.raw.toLowerCase().indexOf(fanOf[1]!);
    const brand = brandOf(fanOf[1]!, c.raw.slice(rawStart, rawStart + fanOf[1]!.length), c.cased);
    if (brand) out.push({ about: who, kind: 'brand', value: brand, polarity: 'positive' });
    else if (!/^(?:picky|big|good|huge|early|night|morning|people|dog|cat)$/.test(fanOf[1]!))
      out.push({ about: who, kind: 'like', value: cleanPhrase(fanOf[1]!), polarity: 'positive' });
  }
  return out;
}

/** Generic goods after a brand name: "Apple products", "Craftsman tools", "IKEA furniture". */
export const PRODUCT_SUFFIX =
  /\s+(?:products?|stuff|gear|brand|items|things|clothes|clothing|shoes|phones?|laptops?|sneakers|tools|furniture|makeup|cosmetics|electronics|appliances|bags|watches|jeans|boots|trainers|sportswear|skincare|coffee|chocolate)$/i;

/** A brand when it is a known brand, or written with a capital inside the sentence. */
export function brandOf(item: string, rawObj: string, cased = true): string | undefined {
  // "Apple products", "Nike stuff": the brand is the first word(s).
  const v = item
    .toLowerCase()
    .replace(/^the\s+/, '')
    .replace(PRODUCT_SUFFIX, '');
  if (BRANDS.has(v)) return v;
  // An unknown capitalised name counts as a brand only with goods after it ("Craftsman tools");
  // alone it is as likely a franchise, a band or a place ("Pokemon", "Taylor Swift", "Paris").
  const trimmed = rawObj.trim().replace(ARTICLE, '');
  const raw = trimmed.replace(PRODUCT_SUFFIX, '');
  if (
    cased &&
    raw !== trimmed &&
    /^[A-Z][a-zA-Z'&.]+(?:\s+[A-Z][a-zA-Z'&.]+)?$/.test(raw) &&
    !/^(?:I|My|The)$/.test(raw) &&
    !(v in MONTH)
  ) {
    return v;
  }
  return undefined;
}

export function extractBrandBuying(c: Clause, who: string): Draft[] {
  const out: Draft[] = [];
  const re =
    /\b(never|only|always|mostly|exclusively|refuse to|won't|will not|don't|do not|no longer|stopped|quit|not)?\s*(?:buy|buys|buying|wear|wears|wearing|use|uses|using|shop at|shops at|shop|shopping at|order from|orders from|boycott|boycotting|avoid|avoiding|done with|sick of|fed up with|over|through with|loyal to)\s+(?:(?:anything|everything|stuff|products|things|items)\s+(?:from|by|made by)\s+|from\s+)?([A-Za-z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)?)(?:\s+(?:again|anymore|products|stuff|clothes|shoes|brand))?/gi;
  for (const m of c.raw.matchAll(re)) {
    const mod = (m[1] ?? '').toLowerCase();
    const word = m[2]!;
    const low = word.toLowerCase();
    const known = BRANDS.has(low) || BRANDS.has(low.split(' ')[0]!);
    const capital = c.cased && /^[A-Z]/.test(word) && !NOT_NAMES.has(low.split(' ')[0]!);
    if (!known && !capital) continue;
    const value = known ? (BRANDS.has(low) ? low : low.split(' ')[0]!) : low;
    const fedUp = /done with|sick of|fed up with|\bover\b|through with/i.test(m[0]);
    if (fedUp && !known) continue;
    const verbNeg = /boycott|avoid/i.test(m[0]) || fedUp;
    const stopped = /stopped|quit|^not$/.test(mod);
    const negative = verbNeg || stopped || /never|refuse|won't|will not|don't|do not/.test(mod);
    if (!mod && !verbNeg && !known && !/loyal/i.test(m[0])) continue; // "I buy Stuff" is too weak without "only/always"
    // "I'm done with Amazon", "I stopped buying Nike" are a standing dislike of the brand, not a retraction.
    out.push({
      about: who,
      kind: 'brand',
      value,
      polarity: negative ? 'negative' : 'positive',
      settled: fedUp || stopped || /never|refuse|won't|will not|don't|do not/.test(mod),
    });
  }
  // "no Samsung please, my last one broke": a known brand refused outright.
  const refused = c.low.match(/^(?:no|no more|not)\s+([a-z][\w'&.-]*(?:\s+[a-z][\w'&.-]*)?)/);
  if (refused) {
    const name = BRANDS.has(refused[1]!) ? refused[1]! : refused[1]!.split(' ')[0]!;
    if (BRANDS.has(name) && !out.some((d) => d.value === name))
      out.push({ about: who, kind: 'brand', value: name, polarity: 'negative', settled: true });
  }
  return out;
}

/**
 * A habit dropped is a dislike, not a request to forget: "I don't drink coffee anymore",
 * "stopped eating chocolate", "quit soda a while ago". Foods that mean a diet (meat, carbs,
 * dairy) are left to the diet extractor; a brand is an avoided brand.
 */
export function extractDropped(c: Clause, who: string): Draft[] {
  const low = c.low;
  const m =
    low.match(
      rx`\\b(?:don't|do not|doesn't|does not|no longer|never)\\s+(?:${HABIT_VERBS})\\s+(.+?)\\s+(?:any ?more|these days|nowadays)\\b`,
    ) ??
    low.match(
      rx`\\b(?:stopped|quit|quitting|gave up|giving up|given up|kicked|cut out|cutting out)\\s+(?:(?:${HABIT_VERBS})\\s+)?(.+)$`,
    ) ??
    low.match(rx`\\bno longer\\s+(?:${HABIT_VERBS})\\s+(.+)$`);
  if (!m || rx`\\b${GIVE_UP}${GIVEN_UP_WORDS}\\b(?![- ]?free)`.test(low)) return [];
  let obj = m[1]!.split(
    /\s*(?:[,.;!?]|\b(?:a while ago|a while back|a (?:few|couple of) \w+ ago|\w+ (?:years?|months?|weeks?) ago|last (?:year|month|week)|this year|years ago|since|after|because|cause|for|but|so|and now|any ?more|these days|nowadays|recently|completely|altogether|cold turkey)\b)/,
  )[0]!;
  obj = cleanPhrase(
    obj.replace(/^(?:from|at)\s+/, '').replace(/\s+(?:as a family|as well|too|either|for good|at home)$/, ''),
  );
  if (!obj || obj.split(' ').length > 4 || NOT_AN_OBJECT.test(obj) || FILLER_WORDS.test(obj)) return [];
  if (/^(?:my|the|your|this|that|it|them|using you|being|to|on|in|at|with|a|an)\b/.test(obj)) return [];
  // Diets and allergies have their own readings ("I quit paleo", "no longer allergic to soy").
  if (
    dietOfFood(obj) ||
    DIETS.some(([re]) => re.test(obj)) ||
    /\b(?:allergic|intolerant|doing|a diet|diet)\b/.test(obj)
  )
    return [];
  const brand = brandOf(obj, obj, false);
  // "I no longer wear Nike" un-says a liked brand; the brand reading decides that one.
  if (brand)
    return /no longer/.test(m[0])
      ? []
      : [{ about: who, kind: 'brand', value: brand, polarity: 'negative', settled: true }];
  return [{ about: who, kind: 'dislike', value: obj, polarity: 'negative', settled: true }];
}
