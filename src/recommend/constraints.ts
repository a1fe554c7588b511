import type { Product } from '../catalog/index.js';
import type { StoredFact } from '../profile/facts.js';
import { ALLERGEN_SYNONYMS, ALLERGEN_WORDS, ANIMAL_PRODUCT, MEAT } from './ingredients.js';

/**
 * Hard constraints read from a person's facts: a product that breaks one is never recommended.
 * Each remembers the fact it came from, so a pick can say which facts shaped it.
 */
export interface Constraint {
  factId: string;
  /** The fact itself. */
  fact: StoredFact;
  /** Words for a shopper: "gluten-free", "no peanuts". */
  label: string;
  breaks(p: Product): boolean;
  /** Whether the constraint has a say on this product at all (a diet on food, a size on sized things): its fact was used. */
  bindsOn(p: Product): boolean;
}

const always = () => true;

const attrs = (p: Product) =>
  p.attributes as {
    ingredients?: string[];
    diet_labels?: string[];
    allergens?: string[];
    brand?: string;
    sizes?: Record<string, string[]> | string[];
    /** Units left per size, where the shop says ("M": 0 is sold out in M). */
    size_stock?: Record<string, number>;
  };
const isFood = (p: Product) => (attrs(p).ingredients?.length ?? 0) > 0 || (attrs(p).diet_labels?.length ?? 0) > 0;
// Products are immutable snapshots of the catalog, checked on every request: their text is built once.
const texts = new WeakMap<Product, string>();
const text = (p: Product) => {
  let t = texts.get(p);
  if (t === undefined)
    texts.set(
      p,
      (t =
        `${p.name} ${p.description} ${p.categories.join(' ')} ${(attrs(p).ingredients ?? []).join(' ')}`.toLowerCase()),
    );
  return t;
};
const has = (list: string[] | undefined, v: string) => (list ?? []).includes(v);
const ingredientText = (p: Product) => (attrs(p).ingredients ?? []).join(', ').toLowerCase();

/** Diets a shop marks on its shelf (keto, halal...): only what is sold as such fits them. */
const LABELLED_DIETS = new Set(['keto', 'paleo', 'low_sugar', 'halal', 'kosher', 'whole30', 'low_carb']);

/** The catalog's allergen tag for what a person said ("nuts" → tree_nuts). */
export const allergenTag = (v: string) => {
  const k = v
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return ALLERGEN_SYNONYMS[k] ?? k;
};

/**
 * A food that does not fit a diet. Diets bind food only: a toothbrush is neither keto nor not. What the ingredients
 * say beats a label ("gluten-free" with barley malt in it is not gluten-free); a label-only diet (keto) needs the label.
 */
function breaksDiet(diet: string, p: Product): boolean {
  if (!isFood(p)) return false;
  const a = attrs(p);
  switch (diet) {
    case 'gluten_free':
      return (
        has(a.allergens, 'gluten') ||
        has(a.allergens, 'wheat') ||
        ALLERGEN_WORDS.gluten.test(ingredientText(p)) ||
        (!has(a.diet_labels, 'gluten_free') && ALLERGEN_WORDS.gluten.test(text(p)))
      );
    case 'dairy_free':
    case 'lactose_free':
      return has(a.allergens, 'dairy') || ALLERGEN_WORDS.dairy.test(ingredientText(p));
    case 'vegan':
      return (
        !has(a.diet_labels, 'vegan') ||
        ['dairy', 'eggs', 'fish', 'shellfish'].some((x) => has(a.allergens, x)) ||
        ANIMAL_PRODUCT.test(ingredientText(p))
      );
    case 'vegetarian': {
      // A shelf label is trusted about the name ("vegetarian sausage"), never about the ingredients.
      const t = has(a.diet_labels, 'vegetarian') || has(a.diet_labels, 'vegan') ? ingredientText(p) : text(p);
      return (
        has(a.allergens, 'fish') ||
        has(a.allergens, 'shellfish') ||
        MEAT.test(t) ||
        ALLERGEN_WORDS.fish.test(t) ||
        ALLERGEN_WORDS.shellfish.test(t)
      );
    }
    case 'pescatarian':
      return MEAT.test(
        has(a.diet_labels, 'vegetarian') || has(a.diet_labels, 'vegan') || has(a.diet_labels, 'pescatarian')
          ? ingredientText(p)
          : text(p),
      );
    default:
      return LABELLED_DIETS.has(diet) && !has(a.diet_labels, diet);
  }
}

/** A product that contains the allergen: tagged so, or an ingredient (or, untagged, its name or description) says so. */
function breaksAllergy(allergen: string, p: Product): boolean {
  const a = attrs(p);
  const tag = allergenTag(allergen);
  if (has(a.allergens, tag)) return true;
  if ((tag === 'tree_nuts' || tag === 'peanuts') && has(a.diet_labels, 'contains_nuts')) return true;
  if (tag === 'gluten' || tag === 'wheat')
    return breaksDiet('gluten_free', p) || (tag === 'wheat' && has(a.allergens, 'gluten'));
  if (tag === 'dairy') return breaksDiet('dairy_free', p);
  const re = ALLERGEN_WORDS[tag];
  if (!re || !isFood(p)) return false;
  return re.test(ingredientText(p)) || re.test(text(p));
}

/** The words of a stated dislike that a product must not be about ("spicy food" → spicy). */
function dislikeWords(v: string): string[] {
  const stop = new Set(['food', 'foods', 'stuff', 'things', 'thing', 'the', 'a', 'an', 'any', 'too', 'very', 'really']);
  return v
    .toLowerCase()
    .split(/[^a-z0-9-]+/)
    .filter((w) => w.length > 2 && !stop.has(w));
}

/** A dislike's patterns, and whether each product breaks it: the same few dislikes come back on every request. */
const dislikes = new Map<string, { words: RegExp[]; breaks: WeakMap<Product, boolean> }>();

function dislike(v: string) {
  let d = dislikes.get(v);
  if (!d) {
    if (dislikes.size >= 10_000) dislikes.clear();
    const words = dislikeWords(v).map(
      (w) => new RegExp(`\\b${w.replace(/s$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    dislikes.set(v, (d = { words, breaks: new WeakMap() }));
  }
  return d;
}

function breaksDislike({ words, breaks }: ReturnType<typeof dislike>, p: Product): boolean {
  if (words.length === 0) return false;
  let b = breaks.get(p);
  if (b === undefined) {
    const hay = `${text(p)} ${(attrs(p).diet_labels ?? []).join(' ')}`;
    breaks.set(p, (b = words.every((w) => w.test(hay))));
  }
  return b;
}

/** Constraints from the facts about one person (`about`), as the view allows them. */
export function constraintsFrom(facts: readonly StoredFact[], about = 'self'): Constraint[] {
  const out: Constraint[] = [];
  for (const f of facts) {
    if (f.about !== about) continue;
    const v = f.value;
    if (f.kind === 'diet' && f.polarity === 'positive' && typeof v === 'string') {
      out.push({
        factId: f.id,
        fact: f,
        label: v.replace(/_/g, '-'),
        breaks: (p) => breaksDiet(v, p),
        bindsOn: isFood,
      });
    } else if (f.kind === 'allergy' && typeof v === 'string') {
      out.push({
        factId: f.id,
        fact: f,
        label: `no ${v.replace(/_/g, ' ')}`,
        breaks: (p) => breaksAllergy(v, p),
        bindsOn: (p) => isFood(p) || (attrs(p).allergens?.length ?? 0) > 0,
      });
    } else if ((f.kind === 'dislike' || (f.kind === 'like' && f.polarity === 'negative')) && typeof v === 'string') {
      const d = dislike(v);
      out.push({ factId: f.id, fact: f, label: `nothing ${v}`, breaks: (p) => breaksDislike(d, p), bindsOn: always });
    } else if (f.kind === 'brand' && f.polarity === 'negative' && typeof v === 'string') {
      const brand = v.toLowerCase();
      out.push({
        factId: f.id,
        fact: f,
        label: `no ${v}`,
        breaks: (p) => (attrs(p).brand ?? '').toLowerCase() === brand || p.name.toLowerCase().startsWith(`${brand} `),
        bindsOn: always,
      });
    } else if (f.kind === 'budget' && typeof v === 'object' && v !== null) {
      const b = v as { max: number; for?: string };
      const forWords = b.for ? dislikeWords(b.for) : [];
      const binds = (p: Product) =>
        forWords.length === 0 || forWords.some((w) => text(p).includes(w.replace(/s$/, '')));
      out.push({
        factId: f.id,
        fact: f,
        label: `under ${b.max}`,
        breaks: (p) => p.price !== null && p.price > b.max && binds(p),
        bindsOn: binds,
      });
    } else if (f.kind === 'size' && typeof v === 'object' && v !== null) {
      const s = v as { item: string; size?: string };
      if (!s.size) continue;
      // A product sold in sizes for this kind of item must have the person's size.
      const sizedFor = (p: Product) => {
        const sizes = attrs(p).sizes;
        return (
          !!sizes && !!(Array.isArray(sizes) ? sizes : sizes[s.item]) && text(p).includes(s.item.replace(/s$/, ''))
        );
      };
      out.push({
        factId: f.id,
        fact: f,
        label: `${s.item} in ${s.size}`,
        breaks: (p) => {
          const sizes = attrs(p).sizes;
          if (!sizes) return false;
          const list = Array.isArray(sizes) ? sizes : sizes[s.item];
          if (!list || !text(p).includes(s.item.replace(/s$/, ''))) return false;
          const size = s.size!.toUpperCase();
          if (!list.map((x) => x.toUpperCase()).includes(size)) return true;
          // Sold in the size, but none left in it.
          const stock = attrs(p).size_stock;
          return !!stock && Object.entries(stock).some(([k, n]) => k.toUpperCase() === size && n <= 0);
        },
        bindsOn: sizedFor,
      });
    }
  }
  return out;
}

/** The first constraint a product breaks (out of stock counts), or null when it may be shown. */
export function brokenBy(p: Product, constraints: readonly Constraint[]): Constraint | 'out_of_stock' | null {
  if (!p.inStock) return 'out_of_stock';
  for (const c of constraints) if (c.breaks(p)) return c;
  return null;
}

/** The rule set's one question: may this product be shown to the person these constraints come from? */
export const mayShow = (p: Product, constraints: readonly Constraint[]): boolean => brokenBy(p, constraints) === null;

/**
 * The constraints that narrowed a choice: those that ruled out at least one of the candidates, so a reply may say
 * "gluten-free picks" only when being gluten-free changed what was picked.
 */
export function narrowing(candidates: Iterable<Product>, constraints: readonly Constraint[]): Constraint[] {
  const out = new Set<Constraint>();
  for (const p of candidates) {
    if (!p.inStock) continue;
    for (const c of constraints) if (!out.has(c) && c.breaks(p)) out.add(c);
    if (out.size === constraints.length) break;
  }
  return [...out];
}
