/** Diets and allergies. */
import type { Allergen } from '../types.js';
import {
  ALLERGENS,
  ALLERGEN_WORDS,
  DIETS,
  DIET_FOLLOWERS,
  GIVE_UP,
  GIVEN_UP_FOODS,
  GIVEN_UP_WORDS,
} from './vocabulary.js';
import { cleanPhrase, rx, rxg, splitList } from './text.js';
import type { Clause } from './clauses.js';
import type { Draft } from './draft.js';

export function extractDiet(c: Clause, who: string): Draft[] {
  const out: Draft[] = [];
  for (const [re, diet] of DIETS) {
    const m = c.low.match(re);
    if (!m) continue;
    const after = c.low.slice(m.index! + m[0].length).trim();
    const next = after.match(/^[a-z]+/)?.[0];
    const eats = /\b(?:eat|eats|eating|ate|cook|cooks|cooking)\b/.test(c.low.slice(0, m.index));
    // "gluten free pasta" is a product; "gluten free at home", "gluten free diet" is a person.
    if (next && !DIET_FOLLOWERS.has(next) && !(eats && /^(?:food|foods|meals?|stuff|only)$/.test(next))) continue;
    if (m[0] === 'veggies') continue; // vegetables, not a diet
    const negated = new RegExp(
      `\\b(?:not|n't|never|no)\\s+(?:a\\s+|an\\s+|on\\s+a\\s+|really\\s+|strictly\\s+)?${m[0].replace(/[-]/g, '.')}`,
    ).test(c.low);
    out.push({ about: who, kind: 'diet', value: diet, polarity: negated ? 'negative' : 'positive' });
  }
  // A diet said as a habit: "cutting carbs these days", "gave up dairy", "I don't eat meat these days".
  const habit = c.low.match(rx`\\b${GIVE_UP}(${GIVEN_UP_WORDS})\\b(?![- ]?free)`);
  if (habit && !/\b(?:any ?more|no longer)\b.*\b(?:vegan|vegetarian|keto|paleo)\b/.test(c.low)) {
    const diet = dietOfFood(habit[1]!);
    if (diet && !out.some((d) => d.value === diet))
      out.push({ about: who, kind: 'diet', value: diet, polarity: 'positive', settled: true });
    else for (const d of out) if (d.value === diet) d.settled = true;
  }
  return out;
}

/** The diet a food given up means: carbs keto, meat vegetarian, dairy dairy-free. */
export function dietOfFood(food: string) {
  const f = food.toLowerCase().trim();
  return GIVEN_UP_FOODS.find(([re]) => re.test(f))?.[1];
}

export function allergenOf(s: string): Allergen | undefined {
  const v = cleanPhrase(s).replace(/\s+allerg\w*$/, '');
  for (const [re, a] of ALLERGENS) if (re.test(v)) return a;
  return undefined;
}

export function extractAllergy(c: Clause, who: string): Draft[] {
  const found = new Set<Allergen>();
  // "allergic to peanuts, milk and eggs", "allergy to shellfish", "intolerant to dairy"
  const to = rxg`\\b(?:allergic|allergy|allergies|intolerant|intolerance|sensitive|sensitivity|reaction|react\\w*(?:\\s+badly)?)\\s+(?:to|from)\\s+((?:(?:${ALLERGEN_WORDS})(?:\\s*,\\s*|\\s+and\\s+|\\s+or\\s+|\\s*&\\s*)?)+)`;
  for (const mm of c.low.matchAll(to))
    for (const part of splitList(mm[1]!)) {
      const a = allergenOf(part);
      if (a) found.add(a);
    }
  // "a peanut allergy", "shellfish allergies", "lactose intolerant", "nut intolerance"
  const before = rxg`\\b(${ALLERGEN_WORDS})[- ](?:allergy|allergies|allergic|intolerance|intolerant)\\b`;
  for (const mm of c.low.matchAll(before)) {
    const a = allergenOf(
      mm[1]!
        .replace(/^peanut$/, 'peanuts')
        .replace(/^nut$/, 'nuts')
        .replace(/^egg$/, 'eggs'),
    );
    if (a) found.add(a);
  }
  // "I can't eat shellfish", "she can't have dairy": an allergy in everyday words.
  const cant = rxg`\\b(?:can't|cannot|can not|shouldn't|should not|mustn't|must not)\\s+(?:eat|have|touch|tolerate|digest|handle)\\s+(?:any\\s+)?((?:(?:${ALLERGEN_WORDS})(?:\\s*,\\s*|\\s+and\\s+|\\s+or\\s+)?)+)`;
  for (const mm of c.low.matchAll(cant))
    for (const part of splitList(mm[1]!)) {
      const a = allergenOf(part);
      if (a) found.add(a);
    }
  const negated = /\b(?:not|n't|no longer|never)\s+(?:\w+\s+)?(?:allergic|intolerant)\b/.test(c.low);
  return [...found].map((a) => ({
    about: who,
    kind: 'allergy' as const,
    value: a,
    polarity: negated ? ('negative' as const) : ('positive' as const),
  }));
}
