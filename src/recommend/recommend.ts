/**
 * `recommend(ctx, view, context, k)`: the brand's model (collaborative filtering, buy-again, learned complements,
 * popularity) merged with what is cheap to know right now (the person's newest orders and events, the cart, the
 * brand's declared complements) and with what the person said (likes, through the view only). Hard constraints from
 * the view's facts are never broken, and every pick says why in a shopper's words and which facts it used.
 */
import type { AppContext } from '../context.js';
import type { Product } from '../catalog/catalog.js';
import type { PersonView } from '../gatekeeper/view.js';
import type { StoredFact } from '../profile/facts.js';
import { shortName } from '../conversation/wording.js';
import { recommendFromModel } from './model/score.js';
import type { RecModel, RecSource } from './model/types.js';
import { brokenBy, constraintsFrom, type Constraint } from './constraints.js';
import { productsMatching } from './content.js';
import { storeFor, type BrandState } from './store.js';
import { type Activity, activityOf } from './activity.js';

export type RecContext =
  | { kind: 'home' }
  | { kind: 'product'; productId: string }
  | { kind: 'cart' }
  | { kind: 'gift'; about: string };

export interface RecommendOptions {
  brandId: number;
  /** Anonymous sessions: the products looked at, most recent last. */
  sessionItems?: string[];
  /** Randomness of the variety between calls; tests fix it. */
  random?: () => number;
  /** The fence sent with the audit entry of the read that gave the view (see activity.ts). */
  activityFence?: string;
}

export interface RecommendedItem {
  product: Product;
  score: number;
  /** Why, in the shopper's words, strongest first. */
  reasons: string[];
  /** The facts this pick used: the likes it matches and the constraints that had a say on it. */
  factIds: string[];
}

export interface Recommendations {
  items: RecommendedItem[];
  /** The hard constraints applied to the whole list. */
  constraints: Array<{ factId: string; label: string }>;
  modelVersion: number;
}

const DAY = 86_400_000;

/** Relative weights of what is merged on top of the model (the model's best pick is 1). */
const W = { like: 0.8, declaredComplement: 0.6, askedComplement: 1.2, giftModel: 0.3, fatigue: 0.6 };

const NO_ACTIVITY: Activity = { orders: [], viewed: [], cart: [], rejected: new Set() };

/** "Dad" -> "your dad", "maya" -> "Maya": how the shopper names the person a gift is for. */
function personWords(about: string): string {
  const a = about.trim().toLowerCase();
  if (
    /^(mom|mum|mother|dad|father|sister|brother|wife|husband|partner|son|daughter|grandma|grandpa|grandmother|grandfather|aunt|uncle|boss|friend|best friend|girlfriend|boyfriend|niece|nephew|kids?|children|cousin)$/.test(
      a,
    )
  )
    return `your ${a}`;
  return a.charAt(0).toUpperCase() + a.slice(1);
}

/** Why the model picked an item: its strongest signal and the item that brought it. */
interface ModelReason {
  item: string;
  src: RecSource;
  because: string | undefined;
}

interface Candidate {
  product: Product;
  score: number;
  /** The model's reason is worded only for the picks that are shown. */
  reasons: Array<{ text: string | ModelReason; weight: number }>;
  factIds: Set<string>;
  /** Whether a hard constraint rules it out (known once picked). */
  broken?: boolean;
  /** The score it is ranked by: with the fatigue of being shown often. */
  ranked: number;
}

/** Shown this often recently without being taken: demoted, so the list moves on. */
const FATIGUE_SHOWN = 3;
const FATIGUE_MS = DAY;
const MAX_TRACKED = 50_000;

/** Per-process memory of what was shown to whom (brand:person -> product -> times, since). Soft state: losing it is harmless. */
const shown = new Map<string, Map<string, { n: number; since: number }>>();

function noteShown(key: string, ids: string[], now: number) {
  let m = shown.get(key);
  if (m)
    shown.delete(key); // re-insert: the Map's order is the recency order
  else m = new Map();
  shown.set(key, m);
  for (const id of ids) {
    const e = m.get(id);
    if (!e || now - e.since > FATIGUE_MS) m.set(id, { n: 1, since: now });
    else e.n++;
  }
  if (shown.size > MAX_TRACKED) shown.delete(shown.keys().next().value!);
}

function reasonOf(
  src: RecSource,
  because: Product | undefined,
  isPurchase: boolean,
  ctxKind: RecContext['kind'],
  brandName: string,
  boughtBefore: number,
): string | null {
  const name = because ? shortName(because) : null;
  switch (src) {
    case 'buy_again':
      return boughtBefore >= 2 ? 'you buy it often' : 'you bought it before';
    case 'complement':
      if (!name) return null;
      if (ctxKind === 'cart') return `goes with the ${name} in your cart`;
      return isPurchase ? `often bought with your ${name}` : `often bought with the ${name}`;
    case 'cf':
      return name ? (isPurchase ? `because you bought the ${name}` : `because you looked at the ${name}`) : null;
    case 'session':
      return name ? `shoppers who liked the ${name} also chose this` : null;
    case 'trending':
      return `popular this week at ${brandName}`;
    case 'popular':
      return `popular at ${brandName}`;
  }
}

/** Candidates of a like, per brand state (catalog and model): the same likes come back call after call. */
const likeCandidates = new WeakMap<BrandState, Map<string, Product[]>>();

function productsLiked(state: BrandState, like: string, pool: number): Product[] {
  let cache = likeCandidates.get(state);
  if (!cache || cache.size > 10_000) likeCandidates.set(state, (cache = new Map()));
  const key = `${pool}:${like}`;
  let matches = cache.get(key);
  if (!matches) {
    matches = productsMatching(state.catalog.words, like);
    const model = state.model;
    // A broad like ("vintage") matches hundreds: the most popular of them are enough candidates.
    if (matches.length > pool && model) {
      const pop = (p: Product) => model.popularity[model.itemIndex.get(p.id) ?? -1] ?? 0;
      matches = [...matches].sort((a, b) => pop(b) - pop(a)).slice(0, pool);
    }
    cache.set(key, matches);
  }
  return matches;
}

export async function recommend(
  ctx: Pick<AppContext, 'db' | 'log' | 'now'>,
  view: PersonView | null,
  context: RecContext,
  k: number,
  opts: RecommendOptions,
): Promise<Recommendations> {
  const store = storeFor(ctx);
  const state: BrandState = await store.brand(opts.brandId);
  const now = ctx.now();
  const { catalog } = state;
  const model: RecModel | null = state.model;
  const random = opts.random ?? Math.random;
  const gift = context.kind === 'gift';
  const about = gift ? context.about.trim().toLowerCase() : 'self';

  // Facts come only from the view; gift mode uses only the facts about the recipient.
  const facts: StoredFact[] = (view?.facts ?? []).filter(
    (f) => f.about === about && !f.retiredUses.includes('recommendations'),
  );
  const constraints: Constraint[] = constraintsFrom(facts, about);
  const activity = view ? await activityOf(ctx.db, view.personId, opts.brandId, now, opts.activityFence) : NO_ACTIVITY;

  const purchases = new Map<string, number>(); // product -> orders containing it (recent ones)
  for (const o of activity.orders) for (const id of o.items) purchases.set(id, (purchases.get(id) ?? 0) + 1);
  const session = [...(opts.sessionItems ?? []), ...activity.viewed];
  // What complements are sought for, and how the shopper knows it: bought it, looking at it, has it in the cart.
  const seeds: Array<{ id: string; how: 'bought' | 'looking' | 'cart' }> = [];
  if (context.kind === 'product') seeds.push({ id: context.productId, how: 'looking' });
  else if (context.kind === 'cart')
    for (const id of [...activity.cart, ...(opts.sessionItems ?? [])]) seeds.push({ id, how: 'cart' });
  else if (!gift) {
    for (const id of session) seeds.push({ id, how: 'looking' });
    for (const id of activity.orders[0]?.items ?? []) seeds.push({ id, how: 'bought' });
  }
  const seedIds = seeds.map((s) => s.id);

  // Never suggested: rejected things, what is in front of the shopper already.
  const exclude = new Set<string>(activity.rejected);
  if (context.kind === 'product') {
    exclude.add(context.productId);
    // What came in the same order as the product the shopper has it already.
    for (const o of activity.orders) if (o.items.includes(context.productId)) for (const id of o.items) exclude.add(id);
  }
  if (context.kind === 'cart') for (const id of seedIds) exclude.add(id);

  const cands = new Map<string, Candidate>();
  const add = (
    p: Product | undefined,
    score: number,
    reason: string | ModelReason | null,
    weight: number,
    factId?: string,
  ) => {
    if (!p || exclude.has(p.id)) return;
    let c = cands.get(p.id);
    if (!c) cands.set(p.id, (c = { product: p, score: 0, ranked: 0, reasons: [], factIds: new Set() }));
    c.score += score;
    if (reason && !c.reasons.some((r) => r.text === reason)) c.reasons.push({ text: reason, weight });
    if (factId) c.factIds.add(factId);
  };

  // 1. The model.
  const pool = Math.max(30, 3 * k);
  const personal = !gift && view !== null;
  const history = personal && model ? model.users.get(view!.personId) : undefined;
  // Purchase counts from the history, looked up only for the picks that get worded.
  const countOf = (id: string) => {
    const i = model?.itemIndex.get(id);
    const t = history && i !== undefined ? history.items.indexOf(i) : -1;
    return t >= 0 ? history!.counts[t] : 0;
  };
  const wordModel = ({ item, src, because }: ModelReason) =>
    reasonOf(
      src,
      because ? catalog.byId.get(because) : undefined,
      because !== undefined && (purchases.has(because) || countOf(because) > 0),
      context.kind,
      catalog.brandName,
      countOf(item) + (purchases.get(item) ?? 0),
    );
  if (model) {
    // Purchases since the model was trained join the history now (the model's own are already in it).
    const newer = activity.orders.filter((o) => o.at > model.params.now);
    let userItems: Map<string, number> | undefined;
    if (personal && newer.length) {
      userItems = new Map();
      if (history) history.items.forEach((i, t) => userItems!.set(model.itemIds[i], history.scores[t]));
      const top = history?.scores[0] ?? 1;
      for (const o of newer) for (const id of o.items) userItems.set(id, Math.max(userItems.get(id) ?? 0, top));
    }
    const recs = recommendFromModel(model, {
      user: personal ? view!.personId : undefined,
      userItems,
      sessionItems: context.kind === 'cart' || context.kind === 'product' ? [...seedIds, ...session] : session,
      basketItems: context.kind === 'home' && activity.orders.length ? activity.orders[0].items : undefined,
      k: pool,
      mode: 'all',
      exclude,
    });
    const top = recs[0]?.score || 1;
    const scale = gift ? W.giftModel : 1;
    for (const r of recs) {
      const p = catalog.byId.get(r.item);
      if (!p) continue;
      add(
        p,
        (scale * r.score) / top,
        { item: r.item, src: r.sources[0], because: r.because?.find((id) => id !== r.item) },
        1,
      );
    }
  }

  // 2. Complements the brand declared for what is being bought or looked at.
  for (const { id, how } of seeds) {
    const seed = catalog.byId.get(id);
    if (!seed) continue;
    const name = shortName(seed);
    const reason =
      how === 'cart'
        ? `goes with the ${name} in your cart`
        : how === 'looking'
          ? `goes with the ${name}`
          : `often bought with your ${name}`;
    // Asked about one product, what its brand says goes with it comes before what the model learned.
    const weight = context.kind === 'product' ? W.askedComplement : W.declaredComplement;
    for (const c of seed.complements) add(catalog.byId.get(c), weight, reason, 2);
  }

  // 3. What the person (or the gift's recipient) said they like: stated beats inferred, so it weighs more than the model.
  for (const f of facts) {
    if (!((f.kind === 'like' || f.kind === 'brand') && f.polarity === 'positive' && typeof f.value === 'string'))
      continue;
    const reason = gift
      ? `because you said ${personWords(about)} loves ${f.value}`
      : `because you said you love ${f.value}`;
    for (const p of productsLiked(state, f.value, pool)) add(p, W.like, reason, 3, f.id);
  }

  // 4. Popularity fills whatever is still short (newcomers, anonymous, strict constraints, brands without a model).
  const fill = (need: number, wholeCatalog: boolean) => {
    const order: Array<[Product | undefined, RecSource]> = [];
    if (model) {
      for (const i of model.trendingOrder.subarray(0, need * 4))
        if (model.trending[i] > 0) order.push([catalog.byId.get(model.itemIds[i]), 'trending']);
      for (const i of model.popularOrder.subarray(0, need * 4))
        order.push([catalog.byId.get(model.itemIds[i]), 'popular']);
    }
    let w = 0.05;
    for (const [p, src] of order)
      add(p, (w *= 0.98), reasonOf(src, undefined, false, context.kind, catalog.brandName, 0), 0);
    // Strict constraints can rule out every popular thing: then the rest of the catalog, in its order.
    if (wholeCatalog || !model) for (const p of catalog.products) add(p, 0, `from ${catalog.brandName}'s range`, 0);
  };

  const key = view ? `${opts.brandId}:${view.personId}` : null;
  const seen = key ? shown.get(key) : undefined;
  const pick = (): RecommendedItem[] => {
    const ok: Candidate[] = [];
    for (const c of cands.values()) {
      if ((c.broken ??= brokenBy(c.product, constraints) !== null)) continue;
      const s = seen?.get(c.product.id);
      c.ranked = s && s.n >= FATIGUE_SHOWN && now.getTime() - s.since < FATIGUE_MS ? c.score * W.fatigue : c.score;
      ok.push(c);
    }
    ok.sort((a, b) => b.ranked - a.ranked || a.product.id.localeCompare(b.product.id));
    // Variety: the best half stays; the other slots are drawn from the next candidates, likelier the higher they rank.
    const head = Math.ceil(k / 2);
    const window = ok.slice(head, head + 2 * k);
    const drawn: Candidate[] = [];
    while (drawn.length < k - head && window.length) {
      let total = 0;
      for (let r = 0; r < window.length; r++) total += 1 / (1 + r);
      let x = random() * total,
        r = 0;
      while (r < window.length - 1 && (x -= 1 / (1 + r)) > 0) r++;
      drawn.push(window.splice(r, 1)[0]);
    }
    ok.splice(head, ok.length, ...drawn);
    return ok.map((c) => {
      for (const con of constraints) if (con.bindsOn(c.product)) c.factIds.add(con.factId);
      const reasons = c.reasons
        .sort((a, b) => b.weight - a.weight)
        .map((r) => (typeof r.text === 'string' ? r.text : wordModel(r.text)))
        .filter((r, n, all): r is string => r !== null && all.indexOf(r) === n);
      return {
        product: c.product,
        score: Math.round(c.ranked * 1e4) / 1e4,
        reasons: reasons.slice(0, 2),
        factIds: [...c.factIds],
      };
    });
  };
  let items = pick();
  for (const wholeCatalog of [false, true]) {
    if (items.length >= k) break;
    fill(k, wholeCatalog);
    items = pick();
  }
  if (key)
    noteShown(
      key,
      items.map((i) => i.product.id),
      now.getTime(),
    );
  return {
    items,
    constraints: constraints.map((c) => ({ factId: c.factId, label: c.label })),
    modelVersion: state.version,
  };
}
