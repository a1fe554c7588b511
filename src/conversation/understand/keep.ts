/**
 * Which of the facts a message states are worth keeping. Understanding reads every fact a message
 * carries (the contract's shape); keeping is narrower:
 * - a filter inside a request ("show me headphones under 100") applies to that request only, unless
 *   it is said as standing ("my budget is always under 50");
 * - a fact said with doubt ("maybe she likes candles?", "I think he's a medium") is not stored: the
 *   chat asks instead;
 * - a free-text value that is long or made of filler is doubtful too.
 */
import type { Fact, Intent, Understanding } from './types.js';
import { FILLER_WORDS } from './facts/text.js';

export interface Kept {
  /** Stated and clear: stored. */
  keep: Fact[];
  /** Limits of this request: used for this answer, never stored. */
  forThisRequest: Fact[];
  /** Said with doubt: not stored; the chat may ask. */
  doubtful: Fact[];
}

const REQUESTS = new Set<Intent>(['find_product', 'recommend']);
/** A limit said as a rule rather than for this one search. */
const STANDING =
  /\b(?:always|usually|generally|in general|as a rule|never (?:spend|pay|go)|(?:my|our) (?:budget|limit) (?:is|'s)|budget is|from now on|anything i buy|for everything)\b/i;
const HEDGE =
  /\b(?:maybe|might|i think|i guess|not sure|probably|perhaps|possibly|i believe|could be|or something|idk|no idea if)\b|\?\s*$/i;

function doubtfulValue(f: Fact): boolean {
  if (typeof f.value !== 'string' || (f.kind !== 'like' && f.kind !== 'dislike' && f.kind !== 'household'))
    return false;
  const words = f.value.split(/\s+/);
  return words.length > 5 || FILLER_WORDS.test(f.value) || words.every((w) => FILLER_WORDS.test(w));
}

export function factsToKeep(u: Understanding): Kept {
  const kept: Kept = { keep: [], forThisRequest: [], doubtful: [] };
  const said = u.facts.filter((f) => f.polarity === 'positive' || f.polarity === 'negative');
  const request = REQUESTS.has(u.intent);
  // A question ending in "?" only hedges a statement, not a request ("any snack ideas? I'm keto").
  const hedged = HEDGE.test(u.text) && !(request && !/\b(?:maybe|i think|i guess|not sure|probably)\b/i.test(u.text));
  for (const f of said) {
    if (request && f.kind === 'budget' && !STANDING.test(u.text)) kept.forThisRequest.push(f);
    else if (hedged || doubtfulValue(f)) kept.doubtful.push(f);
    else kept.keep.push(f);
  }
  return kept;
}
