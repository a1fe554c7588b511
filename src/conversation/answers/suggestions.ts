/**
 * "What should I have for breakfast?", "gift ideas for my dad", "I need a rain jacket under $150":
 * suggestions through the brand's view for `recommendations` (the shopper's own view in their
 * Confidant), for the shopper or, in gift mode, from the facts about the person the gift is for only.
 */
import type { PersonView } from '../../gatekeeper/index.js';
import { turnView } from './view.js';
import type { StoredFact } from '../../profile/facts.js';
import type { Offer } from '../compose.js';
import {
  COMPLEMENT_REQUEST,
  factsFor,
  requestWords,
  suggest,
  suggestFromCatalog,
  type Suggestion,
  type Suggestions,
} from '../suggest.js';
import { constraintsFrom, mayShow } from '../../recommend/index.js';
import { newestProducts, topCategories } from '../../catalog/index.js';
import { localDate } from '../../time.js';
import { type Answer, requestLimits, type Turn, usedFact } from '../turn.js';
import type { UsedFact } from '../store.js';
import { complementName, list, money, shortName, unshout } from '../wording.js';
import type { Product } from '../../catalog/index.js';
import { confirmation, whoIs, withArticle } from './profile.js';
import { linkedBrandIds } from './shop.js';

const RELATIONS =
  /\b(?:for|to|my|get|gift)\s+(?:my\s+)?(dad|father|mom|mum|mother|sister|brother|wife|husband|partner|son|daughter|grandma|grandmother|grandpa|grandfather|aunt|uncle|boss|friend|best friend|boyfriend|girlfriend|niece|nephew|cousin|kids?|colleague|teacher)\b/i;

/** Whom the suggestion is for: a person the message names (or a fact is about), else the shopper. */
export function suggestionFor(turn: Turn, known: string[]): string {
  const fromFacts = turn.understood.facts.find((f) => f.about !== 'self' && f.polarity !== 'retract');
  if (fromFacts) return fromFacts.about.toLowerCase();
  const m = RELATIONS.exec(turn.text);
  if (m) return m[1].toLowerCase();
  const named = known.find(
    (k) => k !== 'self' && new RegExp(`\\b${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(turn.text),
  );
  return named ?? 'self';
}

/** A product named in a list of picks: its name without sizes in brackets, at most six words. */
export function pickName(name: string): string {
  const words = unshout(name.replace(/\s*\([^)]*\)/g, ''))
    .split(/\s+/)
    .filter(Boolean);
  return words.length <= 6
    ? words.join(' ')
    : words
        .slice(0, 6)
        .join(' ')
        .replace(/[,&-]+$/, '');
}

const ALLERGY_FREE: Record<string, string> = {
  peanuts: 'peanut-free',
  tree_nuts: 'nut-free',
  eggs: 'egg-free',
  dairy: 'dairy-free',
};
const DIET_WORDS: Record<string, string> = {
  gluten_free: 'gluten-free',
  dairy_free: 'dairy-free',
  low_sugar: 'low-sugar',
};

async function historyOf(turn: Turn, brandId: number): Promise<Map<string, number>> {
  // The brand's own order lines of this shopper (its data, for service): their habits at this brand.
  const r = await turn.tx.query(
    `SELECT product_id, sum(quantity)::int AS n FROM order_items WHERE person_id = $1 AND brand_id = $2 AND status = 'ok' GROUP BY product_id`,
    [turn.person.id, brandId],
  );
  return new Map(r.rows.map((x) => [x.product_id as string, Number(x.n)]));
}

/** The first item of the order the conversation last talked about at this brand, else of the shopper's latest order there. */
async function productTalkedAbout(turn: Turn, brandId: number): Promise<Product | undefined> {
  const talked = turn.state.lastOrders.find((o) => o.brandId === brandId)?.orderId ?? null;
  const r = await turn.tx.query(
    `SELECT p.product_id AS id, p.name, p.attributes, p.categories FROM orders o JOIN order_items oi USING (person_id, brand_id, order_id)
       JOIN products p ON p.brand_id = oi.brand_id AND p.product_id = oi.product_id
     WHERE o.person_id = $1 AND o.brand_id = $2 AND ($3::text IS NULL OR o.order_id = $3)
     ORDER BY o.placed_at DESC, oi.line_no LIMIT 1`,
    [turn.person.id, brandId, talked],
  );
  return r.rows[0];
}

/** Seasonal things and the months (1-12) they make sense in: no Christmas kit for a June birthday. */
const SEASONS: Array<[RegExp, number[]]> = [
  [/\b(christmas|xmas|advent|santa|reindeer|nativity|noel|stocking filler)\b/i, [10, 11, 12]],
  [/\beaster\b/i, [2, 3, 4]],
  [/\bhalloween\b/i, [9, 10]],
  [/\bvalentine/i, [1, 2]],
];
export const inSeason = (p: Product, month: number) =>
  SEASONS.every(([re, months]) => months.includes(month) || !re.test(`${p.name} ${p.categories.join(' ')}`));

/** The month a gift is for: the recipient's next occasion the shopper told about, else this month. */
function giftMonth(turn: Turn, facts: StoredFact[]): number {
  const dated = facts
    .filter((f) => f.kind === 'date' && f.value && typeof f.value === 'object')
    .map((f) => f.value as { month?: number })
    .find((v) => typeof v.month === 'number');
  return dated?.month ?? localDate(turn.now, turn.person.timeZone).month;
}

/** "My usual", "the same as always": what the shopper buys again and again. */
const MY_USUAL = /\b(my|the) usual\b|\bsame as (always|usual|last time)\b|\b(my|the) regular\b/i;

/** "What's new?", "any new arrivals?": the newest of the catalog, as the rule set allows. */
const WHATS_NEW =
  /\b(what'?s|whats|anything|something|got) new\b|\bnew (arrivals?|in|stuff|products?|things)\b|\bjust (in|arrived)\b|\blatest (stuff|products?|arrivals?)\b/i;

/** Requests for suggestions that a classifier may call `other` ("what's new?", "can I get my usual?"). */
export const asksForPicks = (text: string) => WHATS_NEW.test(text) || MY_USUAL.test(text);

async function whatsNew(turn: Turn, view: PersonView, brandIds: number[]): Promise<Answer | null> {
  const rules = constraintsFrom(factsFor(view, { about: 'self' }));
  for (const brandId of brandIds) {
    const picks = (await newestProducts(turn.tx, brandId, 60)).filter((p) => mayShow(p, rules)).slice(0, 3);
    if (!picks.length) continue;
    const where = turn.brand ? '' : ` at ${turn.brandName(brandId)}`;
    return {
      say: [
        `New${where}: ${list(
          picks.map((p) => pickName(p.name)),
          'and',
        )}`,
      ],
      ask: 'Want to know more about one of them?',
      actions: picks.map((p) => ({
        label: pickName(p.name),
        value: `show me the ${p.name}`,
        intent: 'find_product' as const,
      })),
    };
  }
  return null;
}

const SHOP_WORDS = /^(sell|carry|stock|shop|store|here)$/;

export async function recommend(turn: Turn): Promise<Answer> {
  // "What do you have?" with no product named: what the shop sells, not picks from the profile.
  if (CATALOG_QUESTION.test(turn.text) && !requestWords(turn.text).some((w) => !SHOP_WORDS.test(w)))
    return catalogQuestion(turn);
  const view: PersonView = await turnView(turn, 'recommendations', 'chat:suggest');
  const about = suggestionFor(turn, [...new Set(view.facts.map((f) => f.about))]);
  const statedNow = [...turn.stated, ...requestLimits(turn)].filter((f) => f.about === about);
  const brandIds = turn.brand ? [turn.brand.id] : await linkedBrandIds(turn);
  if (about === 'self' && WHATS_NEW.test(turn.text)) {
    const fresh = await whatsNew(turn, view, brandIds);
    if (fresh) return fresh;
  }
  // A gift comes from what the recipient likes, matched against the whole shop's products (text and categories);
  // a request with words of its own ("something for his garden") searches those instead.
  const recipient = about === 'self' ? [] : [...view.facts, ...statedNow].filter((f) => f.about === about);
  const giftLikes = recipient.filter(
    (f) => f.kind === 'like' && f.polarity === 'positive' && typeof f.value === 'string',
  );
  const said = new Set(statedNow.flatMap((f) => (typeof f.value === 'string' ? requestWords(f.value) : [])));
  const ownWords = requestWords(turn.text).some((w) => !said.has(w));
  const month = about === 'self' ? 0 : giftMonth(turn, recipient);

  let best: { brandId: number; result: Suggestions; goesWith?: Product } | null = null;
  for (const brandId of brandIds) {
    const history = about === 'self' ? await historyOf(turn, brandId) : undefined;
    const goesWith =
      about === 'self' && COMPLEMENT_REQUEST.test(turn.text) ? await productTalkedAbout(turn, brandId) : undefined;
    const result =
      giftLikes.length && !ownWords
        ? await suggestFromCatalog(
            turn.tx,
            view,
            { brandId, about, request: giftLikes.map((f) => f.value as string).join(' '), statedNow },
            12,
          )
        : await suggest(
            { ...turn.ctx, now: () => turn.now },
            turn.tx,
            view,
            { brandId, about, request: turn.text, statedNow, history, goesWith: goesWith?.id },
            about === 'self' ? 3 : 12,
          );
    if (about !== 'self') result.picks = result.picks.filter((p) => inSeason(p.product, month)).slice(0, 3);
    if (!best || (result.picks[0]?.score ?? -1) > (best.result.picks[0]?.score ?? -1))
      best = { brandId, result, goesWith };
  }
  const confirm = turn.stated.length ? confirmation(turn.stated) : null;
  const where = turn.brand ? '' : best ? ` at ${turn.brandName(best.brandId)}` : '';
  if ((!best || best.result.picks.length === 0) && giftLikes.length) {
    // Nothing matches what they like: said plainly, with one question, rather than a list of whatever sells.
    const shop = where || (turn.brand ? ` at ${turn.brand.name}` : '');
    const liked = [...new Set(giftLikes.map((f) => String(f.value).toLowerCase()))];
    const miss = `Nothing${shop} matches ${list(liked.slice(0, 2), 'or')} for ${whoIs(about)}`;
    return confirm
      ? { say: [confirm, miss], actions: [] }
      : { say: [miss], ask: `What else does ${whoIs(about)} enjoy, so I can look again?`, actions: [] };
  }
  if (!best || best.result.picks.length === 0) {
    const diets = describeConstraints(best?.result.constraints ?? []);
    const budgetFor = [...turn.stated, ...requestLimits(turn)]
      .map((f) => (f.kind === 'budget' ? (f.value as { for?: string }).for : undefined))
      .find(Boolean);
    const thing = budgetFor ? withArticle(budgetFor) : 'that';
    const miss = !best?.result.requestMatched
      ? `I couldn't find ${thing}${where || (turn.brand ? ` at ${turn.brand.name}` : '')}`
      : `Nothing${where} fits ${diets || 'what you asked'} for that`;
    return {
      say: confirm ? [confirm, miss] : [miss],
      ask: confirm ? undefined : 'Want to try something else?',
      actions: [],
    };
  }
  const { picks, constraints } = best.result;
  const factsAbout = view.facts.filter((f) => f.about === about);
  const usedFacts = mergeUsed(picks);
  const usedFor = {
    purpose: turn.brand ? 'recommendations' : 'self',
    picks: picks.map((p) => ({
      productId: p.product.id,
      name: pickName(p.product.name),
      factIds: p.usedFacts.map((f) => f.id),
    })),
  };
  const actions: Offer[] = picks.map((p) => ({
    label: pickName(p.product.name),
    value: `show me the ${p.product.name}`,
    intent: 'find_product' as const,
  }));

  // One product asked for by name: say what it costs rather than listing look-alikes.
  const [top, next] = picks;
  if (turn.intent === 'find_product' && top.score >= 6 && (!next || top.score - next.score >= 2)) {
    const price =
      top.product.price != null
        ? ` is ${money(top.product.price, top.product.currency)}${where} and in stock`
        : ' is in stock';
    return {
      say: confirm ? [confirm, `${pickName(top.product.name)}${price}`] : [`${pickName(top.product.name)}${price}`],
      ask: confirm ? undefined : next ? `Want to compare it with ${pickName(next.product.name)}?` : undefined,
      actions: actions.slice(1),
      usedFacts,
      usedFor,
    };
  }

  const seed = best.goesWith;
  const names = list(
    picks.map((p) => (seed ? complementName(p.product, seed) : pickName(p.product.name))),
    'or',
  );
  const diets = describeConstraints(constraints);
  // Likes that nothing matched are said plainly rather than passed off as the reason for the picks.
  const likes = factsAbout.filter((f) => f.kind === 'like' && f.polarity === 'positive');
  const unmatched = likes.length > 0 && !picks.some((p) => p.usedFacts.some((f) => f.kind === 'like'));
  const intro = seed
    ? `To go with your ${shortName(seed)}${where}, try ${names}`
    : about !== 'self'
      ? unmatched
        ? `Nothing${where || ' here'} matches ${likes[0].value}, but popular gifts are ${names}`
        : `For ${whoIs(about)}${where}, try ${names}`
      : MY_USUAL.test(turn.text) && picks.some((p) => p.reasons.includes('you often buy it'))
        ? `Your usual${where}: ${list(
            picks.filter((p) => p.reasons.includes('you often buy it')).map((p) => pickName(p.product.name)),
          )}`
        : diets
          ? `${capitalizeFirst(diets)} picks${where}: ${names}`
          : `You might like ${names}${where}`;
  // At most one profiling question, only when it would change the answer, saying why.
  let ask: string | undefined = 'Want to know more about one of them?';
  if (about !== 'self' && factsAbout.length === 0 && statedNow.length === 0)
    ask = `What does ${whoIs(about)} enjoy, so I can pick something that fits?`;
  else if (
    about === 'self' &&
    picks.some((p) => Array.isArray(p.product.attributes.sizes)) &&
    !factsAbout.some((f) => f.kind === 'size')
  ) {
    ask = "What size do you wear, so I don't suggest the wrong size?";
  }
  return { say: confirm ? [confirm, intro] : [intro], ask: confirm ? undefined : ask, actions, usedFacts, usedFor };
}

function describeConstraints(facts: StoredFact[]): string {
  const diets = facts.filter((f) => f.kind === 'diet').map((f) => DIET_WORDS[String(f.value)] ?? String(f.value));
  const allergies = facts
    .filter((f) => f.kind === 'allergy')
    .map((f) => ALLERGY_FREE[String(f.value)] ?? `${String(f.value).replace(/_/g, ' ')}-free`);
  return list([...diets, ...allergies].slice(0, 2));
}

const capitalizeFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Each fact once, saying which picks it shaped. */
function mergeUsed(picks: Suggestion[]): UsedFact[] {
  const byId = new Map<string, { fact: StoredFact; for: string[] }>();
  for (const p of picks) {
    for (const f of p.usedFacts) {
      const e = byId.get(f.id) ?? { fact: f, for: [] };
      e.for.push(p.product.id);
      byId.set(f.id, e);
    }
  }
  return [...byId.values()].map((e) => usedFact(e.fact, e.for.join(', ')));
}

/** "What do you have?", "what headphones do you sell?": a question about the shop's catalog, not about the shopper. */
export const CATALOG_QUESTION =
  /\bwhat\b[^?]*\b(do|does) (you|ya|u|the shop|this shop|volt) (have|sell|carry|stock|got)\b|\bwhat (have|you) (you )?got\b|\b(do|does) (you|u) (have|sell|carry|stock)\b|\bwhat'?s (in stock|for sale|on sale)\b|\bwhat (can i|could i) (buy|get) (here|from you)\b/i;

/** Answers a catalog question: with words of a product, the products; without, what the shop sells. */
export async function catalogQuestion(turn: Turn): Promise<Answer> {
  if (requestWords(turn.text).some((w) => !SHOP_WORDS.test(w))) return recommend(turn);
  const brandIds = turn.brand ? [turn.brand.id] : await linkedBrandIds(turn);
  if (!turn.brand) {
    return {
      say: [`I can find things at ${list(brandIds.map((id) => turn.brandName(id)))}`],
      ask: 'What are you looking for?',
      actions: [{ label: 'Suggest something', value: 'what do you recommend?', intent: 'recommend' }],
    };
  }
  const cats = await topCategories(turn.tx, turn.brand.id, 5);
  if (!cats.length) return { say: [`${turn.brand.name} has nothing in stock right now`], actions: [] };
  return {
    say: [`${turn.brand.name} sells ${list([...cats.slice(0, 4), 'more'])}`],
    ask: 'What are you looking for?',
    actions: cats.slice(0, 3).map((c) => ({
      label: c.charAt(0).toUpperCase() + c.slice(1),
      value: `what ${c} do you have?`,
      intent: 'find_product' as const,
    })),
  };
}
