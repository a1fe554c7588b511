/**
 * The understanding contract (shared/contracts/understanding.md): the one shape every reader of a
 * shopper message uses. Kept free of any implementation so a remote model can sit behind
 * `Understander` later.
 */

export const INTENTS = [
  'order_status',
  'track_shipment',
  'return_item',
  'cancel_order',
  'refund_status',
  'change_delivery',
  'payment_question',
  'talk_to_human',
  'state_fact',
  'forget_fact',
  'what_do_you_know',
  'find_product',
  'recommend',
  'too_creepy',
  'abuse',
  'apology',
  'stop_messages',
  'resume_messages',
  'greeting',
  'other',
] as const;

export type Intent = (typeof INTENTS)[number];

export const isIntent = (s: unknown): s is Intent =>
  typeof s === 'string' && (INTENTS as readonly string[]).includes(s);

export type FactKind =
  | 'diet'
  | 'allergy'
  | 'size'
  | 'like'
  | 'dislike'
  | 'budget'
  | 'date'
  | 'brand'
  | 'household'
  | 'location';

export type Diet =
  | 'vegetarian'
  | 'vegan'
  | 'pescatarian'
  | 'gluten_free'
  | 'keto'
  | 'paleo'
  | 'dairy_free'
  | 'low_sugar'
  | 'halal'
  | 'kosher';

export type Allergen =
  | 'peanuts'
  | 'tree_nuts'
  | 'shellfish'
  | 'dairy'
  | 'eggs'
  | 'soy'
  | 'gluten'
  | 'fish'
  | 'wheat'
  | 'sesame';

/** `size` is absent in a retraction of "my shoe size" (only the item is known). */
export interface SizeValue {
  item: string;
  size?: string;
}
/** `for` is absent when the message names no product ("my budget is $100"). */
export interface BudgetValue {
  max: number;
  currency: string;
  for?: string;
}
/** month/day are absent in a retraction of "my birthday". */
export interface DateValue {
  occasion: string;
  month?: number;
  day?: number;
}

export type Polarity = 'positive' | 'negative' | 'retract';

/**
 * One fact. `about` is "self" or the relation/name the shopper used, lower case.
 *
 * Retractions (polarity "retract") name what to forget, as narrowly as the message does:
 * - a whole person: `{about: "mom", kind: "*", value: "*"}`
 * - a whole kind: `{kind: "allergy", value: "*"}`
 * - a structured value by its key: size `{item: "shoes"}`, date `{occasion: "birthday"}`
 * - an exact value: `{kind: "diet", value: "vegan"}`
 */
export interface Fact {
  about: string;
  kind: FactKind | '*';
  value: string | SizeValue | BudgetValue | DateValue;
  polarity: Polarity;
}

export interface Understanding {
  text: string;
  intent: Intent;
  /** 0..1: how sure the intent is; low for `other` when nothing fits. */
  confidence: number;
  facts: Fact[];
}

export interface Understander {
  /** `context.now`: the moment of the message, so "next month" becomes a month; `timeZone`: the shopper's. */
  understand(text: string, context?: { now?: Date; timeZone?: string }): Understanding;
}

export type Sensitivity = 'low' | 'health' | 'religion' | 'children' | 'finances' | 'precise_location';

const CHILD_WORDS =
  /\b(kids?|kiddos?|child(ren)?|sons?|daughters?|baby|babies|toddlers?|newborns?|infants?|teens?|teenagers?|twins|triplets|boys?|girls?|grandkids?|grandchild(ren)?|grandsons?|granddaughters?)\b/i;
/** A street address: a house number followed by words and a street-type word, or a PO box / zip code. */
const ADDRESS =
  /\b\d+[a-z]?\s+(\w+\s+){0,4}(street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|parkway|highway|hwy|circle|cir)\b|\b(po box|p\.o\. box)\b|\b\d{5}(-\d{4})?\b|\b(apt|apartment|suite|unit|flat)\s*#?\d+/i;

/** The sensitivity column of the contract: how carefully a fact must be kept and used. */
export function factSensitivity(fact: Fact): Sensitivity {
  const v = fact.value;
  switch (fact.kind) {
    case 'diet':
      if (v === 'gluten_free') return 'health';
      if (v === 'halal' || v === 'kosher') return 'religion';
      return 'low';
    case 'allergy':
      return 'health';
    case 'budget':
      return 'finances';
    case 'household':
      return typeof v === 'string' && CHILD_WORDS.test(v) ? 'children' : 'low';
    case 'location':
      return typeof v === 'string' && ADDRESS.test(v) ? 'precise_location' : 'low';
    default:
      return 'low';
  }
}
