/**
 * What the chat suggests. A request with words of its own ("gluten-free bread", "something for breakfast") is
 * matched against the brand's catalog text here, with the shopper's habits and likes; a request without them
 * ("any ideas?", "gift ideas for my dad", "what goes with it?") goes to the recommender (`src/recommend`).
 * Either way no hard constraint of the profile is broken and every pick carries the facts it used.
 */
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { recommend, type RecContext } from '../recommend/index.js';
import { allProducts, type Product } from '../catalog/index.js';
import { constraintsFrom, mayShow, narrowing } from '../recommend/index.js';
import type { PersonView } from '../gatekeeper/index.js';
import type { StoredFact } from '../profile/facts.js';
import { singular } from './wording.js';

export interface SuggestContext {
  brandId: number;
  /** Whom the suggestion is for: "self", or the person a gift is for ("dad"). */
  about: string;
  /** The shopper's words. */
  request: string;
  /** Facts stated in this very message: they hold for this answer even before any grant. */
  statedNow?: StoredFact[];
  /** How often the shopper bought each product at this brand (their habits; only for `about: self`). */
  history?: Map<string, number>;
  /** "What goes with it?": the product the conversation is about. */
  goesWith?: string;
}

export interface Suggestion {
  product: Product;
  score: number;
  /** The facts this pick rests on: the constraints it meets and the likes it matches. */
  usedFacts: StoredFact[];
  /** Short reasons in the shopper's words ("keto", "you often buy it"). */
  reasons: string[];
}

export interface Suggestions {
  picks: Suggestion[];
  /** Whether the request's own words matched anything (false: "I couldn't find a rain jacket"). */
  requestMatched: boolean;
  /** The hard constraints applied, for the wording ("keto picks"). */
  constraints: StoredFact[];
}

/** The facts that may shape a suggestion for `about`: about that person only, not retired for recommendations. */
export function factsFor(view: PersonView, context: Pick<SuggestContext, 'about' | 'statedNow'>): StoredFact[] {
  const byId = new Map<string, StoredFact>();
  for (const f of [...view.facts, ...(context.statedNow ?? [])]) {
    if (f.about === context.about && !f.retiredUses.includes('recommendations')) byId.set(f.id, f);
  }
  return [...byId.values()];
}

const STOP = new Set(
  'a an the i me my mine you your we our us he she his her him they them it its is am are be do does did doing done have has had having to of in on at by for with from into about as and or but not no so if then than too very can could would should will shall may might must what which who whom whose when where why how any some something anything everything all more most other another one ones thing things stuff get got give buy buying bought want wanted need needs needed like love looking look find show see tell suggest suggestion suggestions recommend recommendation ideas idea good nice great best maybe please thanks gift gifts present presents birthday christmas dad mom mum father mother sister brother wife husband friend son daughter grandma grandpa aunt uncle boss kid kids him her them now today tonight this that these those there here under over below less around dollars usd eat eating drink have having try new'.split(
    ' ',
  ),
);

/** The content words of a request: "what should I have for breakfast?" -> ["breakfast"]. */
export function requestWords(text: string): string[] {
  return [
    ...new Set(
      text
        .toLowerCase()
        .replace(/\$\s?\d+(\.\d+)?/g, ' ')
        .split(/[^a-z0-9-]+/)
        .filter((w) => w.length > 2 && !STOP.has(w) && !/^\d+$/.test(w))
        .map(singular)
        .filter((w) => !STOP.has(w)),
    ),
  ];
}

/** What people have at each meal, as a food shop's shelves call it: "ideas for lunch" finds sandwiches and soups. */
export const MEAL_FOODS: Record<string, string[]> = {
  breakfast: [
    'breakfast',
    'bagel',
    'pastry',
    'pastries',
    'oatmeal',
    'cereal',
    'croissant',
    'muffin',
    'granola',
    'yogurt',
    'coffee',
  ],
  brunch: ['breakfast', 'bagel', 'pastry', 'pastries', 'sandwich', 'salad', 'egg'],
  lunch: ['sandwich', 'salad', 'soup', 'wrap', 'meal', 'flatbread', 'pizza'],
  dinner: ['meal', 'soup', 'pizza', 'dumpling', 'salad', 'pasta', 'flatbread'],
  supper: ['meal', 'soup', 'pizza', 'dumpling', 'salad', 'pasta'],
  snack: ['snack', 'chips', 'nuts', 'fruit', 'cookie', 'jerky', 'hummus', 'cracker'],
};
const alternatives = (w: string) => (MEAL_FOODS[w] ? [w, ...MEAL_FOODS[w]] : [w]);

/** Times when what the shopper habitually has counts as an answer, with or without the words: their morning bagel. */
const MEALS = new Set(['breakfast', 'brunch', 'morning']);
/** "My usual", "again": what they buy again and again, and nothing else. */
const HABIT = new Set(['usual', 'again', 'regular']);

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x).toLowerCase()) : []);

const isFood = (p: Product) =>
  arr(p.attributes.ingredients).length > 0 ||
  arr(p.attributes.diet_labels).length > 0 ||
  arr(p.attributes.allergens).length > 0;

function textOf(p: Product): string {
  return [
    p.name,
    p.description,
    ...p.categories,
    ...arr(p.attributes.ingredients),
    ...arr(p.attributes.diet_labels),
    String(p.attributes.brand ?? ''),
  ]
    .join(' ')
    .toLowerCase()
    .replace(/_/g, ' ');
}

const wordPatterns = new Map<string, RegExp>();
/** Whether a word starts a word of the text ("sandwich" in "sandwiches"). */
function wordIn(w: string, text: string): boolean {
  let re = wordPatterns.get(w);
  if (!re) {
    if (wordPatterns.size > 5000) wordPatterns.clear();
    wordPatterns.set(w, (re = new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)));
  }
  return re.test(text);
}

/** Whether the product is about a thing the shopper named ("fly fishing", "candles"). */
function mentions(p: Product, thing: string): boolean {
  const words = requestWords(thing.replace(/\b(food|foods|dishes|flavou?rs?)\b/g, ''));
  if (words.length === 0) return false;
  const t = textOf(p);
  return words.every((w) => wordIn(w, t));
}

/**
 * A brand's in-stock catalog and how many shoppers bought each product, kept a minute per process:
 * brand-wide reference data (no person's data), so a stale minute is harmless and every process may
 * keep its own.
 */
const CATALOG_TTL_MS = 60_000;
const catalogs = new Map<number, { at: number; products: Product[]; popularity: Map<string, number> }>();

async function catalogOf(
  db: Queryable,
  brandId: number,
): Promise<{ products: Product[]; popularity: Map<string, number> }> {
  const hit = catalogs.get(brandId);
  if (hit && Date.now() - hit.at < CATALOG_TTL_MS) return hit;
  const [products, sold] = await Promise.all([
    allProducts(db, brandId),
    db.query(
      `SELECT product_id, count(DISTINCT person_id)::int AS n FROM order_items WHERE brand_id = $1 AND status = 'ok' GROUP BY product_id ORDER BY n DESC LIMIT 500`,
      [brandId],
    ),
  ]);
  const top = Math.max(1, ...sold.rows.map((r) => Number(r.n)));
  const entry = {
    at: Date.now(),
    products: products.filter((p) => p.inStock),
    popularity: new Map(sold.rows.map((r) => [r.product_id as string, Number(r.n) / top])),
  };
  catalogs.set(brandId, entry);
  return entry;
}

/** Forgets cached catalogs (tests that change a catalog mid-way). */
export const forgetCatalogCache = () => catalogs.clear();

/** Ranks the brand's catalog for the request under the view's facts. */
export async function suggestFromCatalog(
  db: Queryable,
  view: PersonView,
  context: SuggestContext,
  k: number,
): Promise<Suggestions> {
  const facts = factsFor(view, context);
  const rules = constraintsFrom(facts, context.about);
  const likes = facts.filter(
    (f) => (f.kind === 'like' || f.kind === 'brand') && f.polarity === 'positive' && typeof f.value === 'string',
  );
  const diets = facts.filter((f) => f.kind === 'diet' && f.polarity === 'positive');
  const said = requestWords(context.request);
  const words = said.filter((w) => !HABIT.has(w));
  const usual = words.length < said.length;
  // "breakfast" is also what the shopper habitually has then; lunch is what the shop sells for lunch; "snacks" is a
  // kind of product, and habits outside it don't count.
  const habitual = words.length === 0 || usual || words.some((w) => MEALS.has(w));
  const { products, popularity } = await catalogOf(db, context.brandId);

  let requestMatched = false;
  const scored: Suggestion[] = [];
  const hitsOf = new Map<string, number>();
  // What the request would have found with no rule: the rules that ruled any of it out narrowed the picks.
  const wanted: Product[] = [];
  for (const p of products) {
    if (!words.length || words.some((w) => alternatives(w).some((a) => wordIn(a, textOf(p))))) wanted.push(p);
    if (!mayShow(p, rules)) continue;
    const name = p.name.toLowerCase();
    const cats = p.categories.join(' ').toLowerCase();
    const text = textOf(p);
    let score = 0;
    const reasons: string[] = [];
    const used = new Set<StoredFact>(rules.filter((r) => r.bindsOn(p)).map((r) => r.fact));
    let hits = 0;
    for (const w of words) {
      const alts = alternatives(w);
      if (alts.some((a) => wordIn(a, name))) (score += 2), hits++;
      else if (alts.some((a) => wordIn(a, cats))) (score += 1.5), hits++;
      else if (alts.some((a) => wordIn(a, text))) (score += 0.5), hits++;
    }
    if (hits) requestMatched = true;
    for (const f of likes) {
      if (mentions(p, f.value as string)) {
        score += 1.5;
        used.add(f);
        reasons.push(`you like ${f.value}`);
      }
    }
    for (const f of diets) if (isFood(p) && arr(p.attributes.diet_labels).includes(String(f.value))) score += 0.3;
    const bought = context.about === 'self' ? (context.history?.get(p.id) ?? 0) : 0;
    if (bought) {
      score += Math.min(3, Math.log2(1 + bought));
      reasons.push('you often buy it');
    }
    if (words.length && !hits && !(bought && habitual)) continue;
    if (usual && !bought) continue;
    hitsOf.set(p.id, hits);
    // Popularity only breaks ties among what fits (newcomers and gifts with nothing else to go by).
    score += 0.5 * (popularity.get(p.id) ?? 0);
    scored.push({ product: p, score, usedFacts: [...used], reasons });
  }
  // With no words to go by, what the shopper buys and a steady order; otherwise the best matches.
  scored.sort((a, b) => b.score - a.score || a.product.id.localeCompare(b.product.id));
  // "Brush heads": what has both words, when anything does, not headphones for "head".
  const most = Math.max(0, ...hitsOf.values());
  if (words.length > 1 && most > 1) {
    const all = scored.filter((s) => hitsOf.get(s.product.id) === most);
    scored.splice(0, scored.length, ...all);
  }
  const anyHits = scored.some((s) => s.score > 0);
  const picks = (requestMatched || !words.length ? scored : []).filter((s) => !anyHits || s.score > 0).slice(0, k);
  return {
    picks,
    requestMatched: requestMatched || words.length === 0 || (usual && picks.length > 0),
    constraints: narrowing(wanted, rules).map((r) => r.fact),
  };
}

/** "What goes with it?", "any accessories for it": a request for what fits something already talked about. */
export const COMPLEMENT_REQUEST =
  /\b(?:goes? with|go with|accessor(?:y|ies)|to match|pairs? with|works? with|add-?ons?)\b/i;

/** The chat's one entry point to suggestions. `tx` is the turn's transaction (catalog reads see its writes). */
export async function suggest(
  ctx: Pick<AppContext, 'db' | 'log' | 'now'>,
  tx: Queryable,
  view: PersonView,
  context: SuggestContext,
  k = 3,
): Promise<Suggestions> {
  // Words the shopper used to state a fact ("he loves fly fishing") are not what they ask for.
  const said = new Set(
    (context.statedNow ?? []).flatMap((f) => (typeof f.value === 'string' ? requestWords(f.value) : [])),
  );
  if (!context.goesWith && requestWords(context.request).some((w) => !said.has(w)))
    return suggestFromCatalog(tx, view, context, k);
  const facts = factsFor(view, context);
  const recContext: RecContext = context.goesWith
    ? { kind: 'product', productId: context.goesWith }
    : context.about !== 'self'
      ? { kind: 'gift', about: context.about }
      : { kind: 'home' };
  const recs = await recommend(ctx, { ...view, facts }, recContext, k, { brandId: context.brandId });
  const byId = new Map(facts.map((f) => [f.id, f]));
  const known = (ids: string[]) => ids.map((id) => byId.get(id)).filter((f): f is StoredFact => f !== undefined);
  return {
    picks: recs.items.map((i) => ({
      product: i.product,
      score: i.score,
      usedFacts: known(i.factIds),
      reasons: i.reasons,
    })),
    requestMatched: true,
    // A rule is worth naming only when it had a say on what was picked.
    constraints: known(
      recs.constraints.map((c) => c.factId).filter((id) => recs.items.some((i) => i.factIds.includes(id))),
    ),
  };
}
