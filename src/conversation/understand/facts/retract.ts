/** Retraction: what a forget request names, and the cues of a fact no longer true. */
import type { Fact } from '../types.js';
import { ITEM_WORDS, OCCASIONS, REL } from './vocabulary.js';
import { rx } from './text.js';
import { isName, relationKey } from './clauses.js';
import { itemOf } from './size.js';

export const FORGET_CUE =
  /\b(?:forget|frget|forgot about|delete|remove|erase|wipe|clear|reset|unlearn|scratch|stop remembering|don't (?:store|remember|keep|save)|do not (?:store|remember|keep|save)|drop)\b/;
export const NO_LONGER =
  /\b(?:any ?more|no longer|not\s+\w+\s+anymore|stopped|quit|quitting|gave up|giving up|done with|outgrew|outgrown|over (?:my|it|that)|used to be)\b/;

/** What a forget request names when it does not restate the fact: "forget my shoe size", "delete my address". */
export function forgetTargets(low: string, text: string): Fact[] {
  const cueAt = low.search(FORGET_CUE);
  const rest = cueAt >= 0 ? low.slice(cueAt) : low;
  let about = 'self';
  let m: RegExpMatchArray | null;
  if ((m = rest.match(rx`\\b(?:my|our|the)\\s+(${REL})(?:'s|s')?(?=[\\s,.!?]|$)`))) about = relationKey(m[1]!);
  else if (
    (m = rest.match(/\b(?:about|on|of)\s+my\s+([a-z-]+)$/)) &&
    !/^(?:data|info|information|profile|preferences|details|sizes?|diet|allerg\w*|address|birthday|budget|likes|stuff|things|account|history|household|family)$/.test(
      m[1]!,
    )
  )
    about = m[1]!;
  else if (
    (m = text.slice(Math.max(cueAt, 0)).match(/\b(?:about|on|of|for)\s+([A-Z][a-z]+)\b/)) &&
    isName(m[1]!.toLowerCase(), m[1]!)
  )
    about = m[1]!.toLowerCase();
  else if ((m = text.slice(Math.max(cueAt, 0)).match(/\b([A-Z][a-z]+)'s\b/)) && isName(m[1]!.toLowerCase(), m[1]!))
    about = m[1]!.toLowerCase();
  const r = (kind: Fact['kind'], value: Fact['value']): Fact => ({ about, kind, value, polarity: 'retract' });
  const kinds = forgetKinds(rest, r);
  if (kinds.length) return kinds;
  const anywhere = forgetKinds(low, r);
  if (anywhere.length) return anywhere;
  // Everything about someone: "forget about my sister", "delete all my data", "reset my profile".
  if (
    about !== 'self' ||
    /\b(?:everything|all|data|info|information|profile|preferences|details|what you know|what i (?:said|told you)|it|that|memory|history|facts)\b/.test(
      rest,
    )
  ) {
    return [r('*', '*')];
  }
  return [];
}

/** The kinds of fact a forget request names ("my ring size", "my address", "my allergies"). */
export function forgetKinds(rest: string, r: (kind: Fact['kind'], value: Fact['value']) => Fact): Fact[] {
  const out: Fact[] = [];
  const itemM = rest.match(rx`\\b(${ITEM_WORDS}|shoe)\\s+sizes?\\b`);
  if (itemM) out.push(r('size', { item: itemOf(itemM[1] === 'shoe' ? 'shoes' : itemM[1])! }));
  else if (/\bsizes?\b|\bmeasurements\b/.test(rest)) out.push(r('size', '*'));
  for (const [re, occ] of OCCASIONS)
    if (re.test(rest) && !out.some((f) => f.kind === 'date')) out.push(r('date', { occasion: occ }));
  if (/\b(?:address|location|where i live|where we live|city|zip code|postcode)\b/.test(rest))
    out.push(r('location', '*'));
  if (/\ballerg\w*\b/.test(rest)) out.push(r('allergy', '*'));
  if (/\b(?:diet|dietary|diets|eating habits)\b/.test(rest)) out.push(r('diet', '*'));
  if (/\bbudgets?\b/.test(rest)) out.push(r('budget', '*'));
  if (/\bhousehold\b|\bfamily info\b/.test(rest)) out.push(r('household', '*'));
  if (/\b(?:likes|interests|hobbies)\b/.test(rest)) out.push(r('like', '*'));
  if (/\bdislikes\b/.test(rest)) out.push(r('dislike', '*'));
  if (/\bbrands?\b/.test(rest)) out.push(r('brand', '*'));
  return out;
}
