/**
 * The widget's answers to a visitor the shop has not identified (or who has not linked their Confidant): product
 * questions and suggestions from the catalog, popularity and the session's items, and, for anything about their
 * own orders or profile, the way in (sign in at the shop, or link). Nothing is stored about the visitor.
 */
import type { AppContext } from '../../context.js';
import type { Brand } from '../../brands/brands.js';
import type { PersonView } from '../../gatekeeper/view.js';
import { recommend } from '../../recommend/recommend.js';
import { requestWords, suggestFromCatalog } from '../../conversation/suggest.js';
import { pickName } from '../../conversation/answers/suggestions.js';
import { compose, type Draft, type Reply } from '../../conversation/compose.js';
import { understand } from '../../conversation/understand/index.js';
import { list, money } from '../../conversation/wording.js';

export interface ProductCard {
  product_id: string;
  name: string;
  price: number | null;
  currency: string;
}

export interface AnonymousTurn {
  reply: Reply;
  intent: string;
  products: ProductCard[];
}

const ABOUT_THEM = new Set([
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
  'too_creepy',
  'stop_messages',
  'resume_messages',
]);

/** A view with nothing in it: an anonymous visitor has no profile here. */
const nobody = (brandId: number): PersonView => ({
  personId: '',
  brandId,
  purpose: 'recommendations',
  facts: [],
  scopes: new Set(),
});

export async function answerAnonymous(
  ctx: AppContext,
  brand: Brand,
  text: string,
  opts: { identified: boolean; sessionItems: string[] },
): Promise<AnonymousTurn> {
  const understood = understand(text);
  const intent = understood.intent;
  if (ABOUT_THEM.has(intent)) {
    const draft: Draft = opts.identified
      ? {
          say: [`Link your Confidant to ${brand.name} and I can answer that from your own account`],
          actions: [],
        }
      : { say: [`Sign in at ${brand.name} and I can answer that from your own account`], actions: [] };
    if (intent === 'talk_to_human') draft.say = [`Sign in at ${brand.name} first, so a person there can answer you`];
    return { reply: strip(compose(draft)), intent, products: [] };
  }
  if (intent === 'abuse') return reply({ say: ["I'm here to help with the shop"], actions: [] }, intent);
  if (intent === 'apology') return reply({ say: ['No problem at all'], ask: 'What can I find for you?' }, intent);

  const words = requestWords(text);
  const items = words.length
    ? (
        await suggestFromCatalog(ctx.db, nobody(brand.id), { brandId: brand.id, about: 'self', request: text }, 3)
      ).picks.map((p) => p.product)
    : (
        await recommend(
          ctx,
          null,
          opts.sessionItems.length
            ? { kind: 'product', productId: opts.sessionItems[opts.sessionItems.length - 1] }
            : { kind: 'home' },
          3,
          { brandId: brand.id, sessionItems: opts.sessionItems },
        )
      ).items.map((i) => i.product);
  const products = items.map((p) => ({ product_id: p.id, name: p.name, price: p.price, currency: p.currency }));
  if (!products.length)
    return reply({ say: [`I couldn't find that at ${brand.name}`], ask: 'Want to try other words?' }, intent);
  const [top, next] = items;
  const draft: Draft =
    intent === 'find_product' && items.length === 1
      ? {
          say: [`${pickName(top.name)} is ${top.price != null ? money(top.price, top.currency) : 'in stock'}`],
          ask: 'Want to know more?',
        }
      : {
          say: [
            opts.sessionItems.length && !words.length
              ? `To go with what you looked at, try ${list(
                  items.map((p) => pickName(p.name)),
                  'or',
                )}`
              : words.length
                ? `${brand.name} has ${list(
                    items.map((p) => pickName(p.name)),
                    'and',
                  )}`
                : `Popular at ${brand.name}: ${list(
                    items.map((p) => pickName(p.name)),
                    'or',
                  )}`,
          ],
          ask: next ? 'Want to know more about one of them?' : undefined,
        };
  draft.actions = items.map((p) => ({ label: pickName(p.name), value: `show me the ${p.name}` }));
  return { reply: strip(compose(draft)), intent, products };
}

function reply(d: Draft, intent: string): AnonymousTurn {
  return { reply: strip(compose(d)), intent, products: [] };
}

const strip = (r: Reply & { offers?: unknown }): Reply => ({ text: r.text, actions: r.actions });
