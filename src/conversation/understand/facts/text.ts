/** Small text helpers shared by the extractors: cached patterns from word lists, clean-up of phrases, lists. */
import { NUMBER_WORDS } from './vocabulary.js';

/**
 * Patterns built from word lists, compiled once per call site: the classifier runs every example
 * through here, and rebuilding the long alternations each time was most of the training time.
 * Only for templates whose interpolated values are constants.
 */
export const compiled = new WeakMap<TemplateStringsArray, RegExp>();
export function build(flags: string, strings: TemplateStringsArray, values: unknown[]): RegExp {
  let r = compiled.get(strings);
  if (!r) {
    r = new RegExp(
      strings.reduce((acc, part, i) => acc + part + (i < values.length ? String(values[i]) : ''), ''),
      flags,
    );
    compiled.set(strings, r);
  }
  return r;
}
export const rx = (strings: TemplateStringsArray, ...values: unknown[]) => build('', strings, values);
export const rxg = (strings: TemplateStringsArray, ...values: unknown[]) => build('g', strings, values);

export const ARTICLE = /^(?:a|an|the|some|any)\s+/;

/** Contractions as shoppers type them, without the apostrophe ("dont", "cant", "im"). */
const BARE_CONTRACTIONS =
  /\b(dont|doesnt|didnt|cant|wont|isnt|arent|wasnt|werent|havent|hasnt|couldnt|shouldnt|wouldnt|im|ive|youre|hes|shes|thats|theyre)\b/gi;
const APOSTROPHE: Record<string, string> = { wont: "won't", im: "i'm", ive: "i've", youre: "you're" };

/** Straight apostrophes, single spaces, contractions with their apostrophe; keeps the casing. */
export function prep(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .replace(BARE_CONTRACTIONS, (w) => {
      const low = w.toLowerCase();
      const fixed = APOSTROPHE[low] ?? low.replace(/nt$/, "n't").replace(/^(he|she|that|they)(s|re)$/, "$1'$2");
      return w === w.toUpperCase() && w.length > 1
        ? fixed.toUpperCase()
        : /^[A-Z]/.test(w)
          ? fixed.charAt(0).toUpperCase() + fixed.slice(1)
          : fixed;
    })
    .trim();
}

/** Words that fill a sentence without saying anything: never a fact, never part of one. */
export const FILLER_WORDS =
  /^(?:stuff|things|thing|etc|whatever|lol|lmao|haha+|hehe|idk|and so on|and stuff|and things|stuff like that|things like that|you know|or something|or whatever|ya know)$/;
const FILLER_TAIL =
  /\s+(?:lol|lmao|haha+|hehe|xd|:\)|:p|etc|and stuff|and things|and all that|or something|or whatever|you know|ya know|i guess|i think|idk)$/;
const FILLER_HEAD = /^(?:like|kinda|kind of|sort of|sorta|um+|uh+|you know|i guess|mostly)\s+/;

export function cleanPhrase(s: string): string {
  let v = s.toLowerCase().trim();
  v = v.replace(/^["'(]+|["')]+$/g, '').trim();
  let prev = '';
  while (prev !== v) {
    prev = v;
    v = v
      .replace(ARTICLE, '')
      .replace(FILLER_HEAD, '')
      .replace(FILLER_TAIL, '')
      .replace(
        /^(?:really|just|also|all|pretty much|basically|totally|anything|everything|all things|all kinds of|any kind of|any type of|most things|things)\s+(?:(?:with|about|related to|involving)\s+)?/,
        '',
      )
      .replace(
        /\s+(?:a lot|so much|very much|too|as well|lately|these days|nowadays|right now|now|anymore|any ?more|in general|the most|more than anything|really|though|again|very|a bunch|like crazy)$/,
        '',
      )
      .replace(/[\s,.!?;:]+$/, '')
      .trim();
  }
  return v;
}

export function wordNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  return NUMBER_WORDS[s];
}

/** Split "yoga, pilates and hiking" into items; short phrases only, so "mac and cheese" style is rare. */
export function splitList(s: string): string[] {
  const parts = s.split(/\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*|\s+as well as\s+)\s*/);
  return parts.map(cleanPhrase).filter((p) => p.length > 0 && !FILLER_WORDS.test(p));
}
