/**
 * Fact extraction: rules over clauses. Each message is cut into clauses, each clause gets a
 * subject (the shopper, a relation like "dad", a name like "anna", or nobody for questions such as
 * "do you have gluten free pasta"), and small extractors read diet, allergy, size, like/dislike,
 * brand, budget, date, household and location out of it. Rules rather than a model because the
 * values must be normalised exactly and there is no labelled data to learn them from.
 *
 * Retractions ("forget my shoe size", "I'm not vegan anymore") produce polarity "retract" with the
 * value narrowed as far as the message does (see `Fact` in types.ts).
 */
import type { Fact, Intent } from './types.js';
import { prep } from './facts/text.js';
import { type Clause, clauseSubject, mentions, splitClauses } from './facts/clauses.js';
import type { Draft } from './facts/draft.js';
import { extractAllergy, extractDiet } from './facts/diet.js';
import { extractSize } from './facts/size.js';
import { extractDate, localToday, type Today } from './facts/dates.js';
import { extractBudget } from './facts/budget.js';
import { extractBrandBuying, extractDropped, extractLikes } from './facts/likes.js';
import { CORRECTION_CUE } from './facts/vocabulary.js';
import { extractHousehold } from './facts/household.js';
import { extractLocation } from './facts/location.js';
import { FORGET_CUE, NO_LONGER, forgetTargets } from './facts/retract.js';

/** Order-handling intents: "my kid doesn't like the toy, can we return it" is about one product, not a taste. */
const ORDER_INTENTS = new Set<Intent>([
  'order_status',
  'track_shipment',
  'return_item',
  'cancel_order',
  'refund_status',
  'change_delivery',
  'payment_question',
]);
/** Intents whose messages talk about facts without stating them ("what do you know about my dad?"). */
const NO_FACT_INTENTS = new Set<Intent>([
  'what_do_you_know',
  'too_creepy',
  'abuse',
  'apology',
  'greeting',
  'stop_messages',
  'resume_messages',
  'talk_to_human',
]);

/**
 * The facts a message states. `intent` (when known) narrows the reading: questions about what we
 * know state nothing, and a forget request turns what it names into retractions. Without an
 * intent every rule runs, which is what the classifier uses as features.
 */
export interface FactContext {
  /** The moment of the message, for dates said relative to it ("next month"); without it such dates are not read. */
  now?: Date;
  /** The shopper's time zone, for which day "tomorrow" is. */
  timeZone?: string;
}

export function extractFacts(input: string, intent?: Intent, context: FactContext = {}): Fact[] {
  if (intent && NO_FACT_INTENTS.has(intent)) return [];
  const today: Today | undefined = context.now ? localToday(context.now, context.timeZone) : undefined;
  const text = prep(input);
  const lowAll = text.toLowerCase();
  const cased = /[a-z]/.test(text);
  const people = cased ? mentions(text) : mentions(text.toLowerCase());
  // "forget my shoe size", and corrections: "that's wrong, I don't like olives".
  const forgetting =
    intent === 'forget_fact' || (intent === undefined && (FORGET_CUE.test(lowAll) || CORRECTION_CUE.test(lowAll)));
  const productContext =
    intent === 'find_product' ||
    intent === 'recommend' ||
    /\b(?:looking for|do you have|need|want|find|show me|in stock)\b/.test(lowAll);

  const drafts: Draft[] = [];
  const retractFlags: boolean[] = [];
  let offset = 0;
  let last: string | null = null;
  for (const rawClause of splitClauses(text)) {
    const at = text.indexOf(rawClause, offset);
    offset = at >= 0 ? at + rawClause.length : offset;
    // The last person mentioned before this clause resolves "he"/"she"; a later one if none came before.
    const before = people.filter((p) => p.at < Math.max(at, 0));
    last = before.length ? before[before.length - 1]!.who : (people[0]?.who ?? last);
    const subject = clauseSubject(rawClause, last);
    const clause: Clause = { raw: rawClause, low: rawClause.toLowerCase(), subject, start: Math.max(at, 0), cased };
    const retracting = NO_LONGER.test(clause.low) || forgetting;
    const who = subject ?? 'self';
    const found: Draft[] = [];
    if (subject) found.push(...extractDiet(clause, subject), ...extractAllergy(clause, subject));
    found.push(
      ...extractSize(clause, who, productContext),
      ...extractDate(clause, who, last, today),
      ...extractBudget(clause, text, who),
    );
    if (subject) {
      if (!intent || !ORDER_INTENTS.has(intent))
        found.push(
          ...extractLikes(clause, subject, retracting),
          ...extractBrandBuying(clause, subject),
          ...(forgetting ? [] : extractDropped(clause, subject)),
        );
      found.push(...extractHousehold(clause, subject), ...extractLocation(clause, subject));
    }
    for (const f of found) {
      drafts.push(f);
      retractFlags.push(retracting);
    }
  }

  let facts: Fact[] = dedupe(
    drafts.map((d, i): Fact => {
      const fact: Fact = { about: d.about, kind: d.kind, value: d.value, polarity: d.polarity };
      // A retracted dislike stays a dislike ("I don't hate cilantro anymore"); a brand stays a brand.
      return retractFlags[i] && !d.settled ? { ...fact, polarity: 'retract' } : fact;
    }),
  );
  // "I don't eat meat anymore" states a diet, it retracts nothing.
  facts = facts.map((f) =>
    f.kind === 'diet' && f.value === 'vegetarian' && /\b(?:eat|eating) meat\b/.test(lowAll) && !forgetting
      ? { ...f, polarity: 'positive' }
      : f,
  );

  // "my sister's wedding is next month ... my budget is 50": a budget with no product, in a message
  // about one other person, is for that person's gift.
  const others = [...new Set(facts.filter((f) => f.about !== 'self').map((f) => f.about))];
  if (others.length === 1)
    facts = facts.map((f) =>
      f.kind === 'budget' && f.about === 'self' && !(f.value as { for?: string }).for ? { ...f, about: others[0]! } : f,
    );

  if (forgetting) {
    // Prefer the fact the request restates ("forget that I like jazz"); else what it names ("my shoe size").
    const restated = facts.filter((f) => f.polarity === 'retract');
    return restated.length ? restated : forgetTargets(lowAll, text);
  }
  return facts;
}

function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((f) => {
    const k = `${f.about}|${f.kind}|${JSON.stringify(f.value)}|${f.polarity}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
