import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity, shopperFromToken, shopperSecurity } from '../server/auth.js';
import { brandBySlug } from '../brands/brands.js';
import { hmac } from '../crypto.js';
import { AppError } from '../errors.js';
import { selfView, viewFor } from '../gatekeeper/index.js';
import { recommend, type RecContext, type Recommendations } from './recommend.js';
import { activityFence } from './activity.js';

const Query = {
  context: Type.String({
    pattern: '^(home|cart|product:.{1,200}|gift:[^:]{1,64})$',
    default: 'home',
    description:
      'home, cart, product:<product id> (what goes with it), or gift:<about> (for someone else, e.g. gift:dad)',
  }),
  k: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  session_items: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 20,
      description: 'Anonymous sessions: product ids looked at, most recent last',
    }),
  ),
};

const Item = Type.Object({
  product_id: Type.String(),
  name: Type.String(),
  price: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.String(),
  score: Type.Number(),
  reasons: Type.Array(Type.String(), { description: 'Why, in the shopper’s words' }),
  fact_ids: Type.Array(Type.String(), {
    description: 'The facts this pick used (for a brand: its own references to them)',
  }),
});
const Response = Type.Object({
  context: Type.String(),
  model_version: Type.Integer({ description: '0 while the brand has no trained model (popularity and catalog only)' }),
  constraints: Type.Array(Type.Object({ label: Type.String(), fact_id: Type.String() }), {
    description: 'Hard constraints the whole list respects',
  }),
  items: Type.Array(Item),
});

/**
 * Fact ids are the same for every brand; a brand gets its own reference to each, so it cannot link people across
 * brands. The same facts come back on every call: their references are kept (a bounded cache).
 */
const factRefs = new Map<string, string>();
function factRef(ctx: AppContext, brandId: number, factId: string): string {
  const key = `${brandId}:${factId}`;
  let ref = factRefs.get(key);
  if (ref === undefined) {
    if (factRefs.size >= 100_000) factRefs.clear();
    factRefs.set(key, (ref = `f_${hmac(ctx.secret, 'fact', String(brandId), factId).slice(0, 22)}`));
  }
  return ref;
}

function parseContext(s: string): RecContext {
  if (s === 'home' || s === 'cart') return { kind: s };
  if (s.startsWith('product:')) return { kind: 'product', productId: s.slice(8) };
  if (s.startsWith('gift:')) return { kind: 'gift', about: s.slice(5) };
  throw new AppError(
    'validation_failed',
    'context must be home, cart, product:<id> or gift:<about>',
    '/querystring/context',
  );
}

function answer(context: string, r: Recommendations, factRef: (id: string) => string) {
  return {
    context,
    model_version: r.modelVersion,
    constraints: r.constraints.map((c) => ({ label: c.label, fact_id: factRef(c.factId) })),
    items: r.items.map((i) => ({
      product_id: i.product.id,
      name: i.product.name,
      price: i.product.price,
      currency: i.product.currency,
      score: i.score,
      reasons: i.reasons,
      fact_ids: i.factIds.map(factRef),
    })),
  };
}

export function recommendRoutes(app: App, ctx: AppContext) {
  app.get(
    '/v1/recommendations',
    {
      schema: {
        tags: ['recommendations'],
        summary:
          'Products for a person (or an anonymous session), each with reasons in shopper words; uses only what the person granted (audited)',
        security: brandSecurity,
        querystring: Type.Object({
          person: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              description: "The brand's pseudonymous id; leave out for an anonymous visitor",
            }),
          ),
          ...Query,
        }),
        response: { 200: Response },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const q = req.query;
      const context = parseContext(q.context);
      const fence = q.person === undefined ? undefined : activityFence(ctx.db);
      const view =
        q.person === undefined
          ? null
          : await viewFor(ctx.db, {
              viewer: { brand: brand.id },
              person: { pid: q.person, where: '/querystring/person' },
              purpose: 'recommendations',
              call: 'GET /v1/recommendations',
              action: 'recommendation',
              at: ctx.now(),
              inTransaction: false,
              fence,
            });
      const r = await recommend(ctx, view, context, q.k, {
        brandId: brand.id,
        sessionItems: q.session_items,
        activityFence: fence,
      });
      return answer(q.context, r, (id) => factRef(ctx, brand.id, id));
    },
  );

  app.get(
    '/v1/me/recommendations',
    {
      schema: {
        tags: ['me', 'recommendations'],
        summary: 'What a brand would recommend me, and why (from everything I told Confidant)',
        security: shopperSecurity,
        querystring: Type.Object({
          brand: Type.String({ minLength: 1, maxLength: 64, description: "The brand's slug" }),
          ...Query,
        }),
        response: { 200: Response },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const q = req.query;
      const context = parseContext(q.context);
      const brand = await brandBySlug(ctx.db, q.brand);
      if (!brand) throw new AppError('not_found', `no brand "${q.brand}"`, '/querystring/brand');
      const r = await recommend(ctx, await selfView(ctx.db, person.id), context, q.k, {
        brandId: brand.id,
        sessionItems: q.session_items,
      });
      return answer(q.context, r, (id) => id);
    },
  );
}
