/**
 * Trust over HTTP: the person's own page reads it in words, says "too creepy" about a fact a brand used, and a brand
 * sees counts only.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { inTransaction } from '../db/pool.js';
import { AppError } from '../errors.js';
import { brandBySlug, listBrands } from '../brands/brands.js';
import { linksOf } from '../people/links.js';
import { describeFact, factsOf, retireFactUse } from '../profile/facts.js';
import { brandFromSecretKey, brandSecurity, shopperFromToken, shopperSecurity } from '../server/auth.js';
import { DateTime } from '../http-schemas.js';
import { StringEnum } from '../validation.js';
import { trustBetween, trustOfPerson } from './read.js';
import { recordTrustSignal } from './record.js';
import { retirementsOf } from './retired.js';
import { trustSummary } from './summary.js';

const Level = StringEnum(['new', 'low', 'medium', 'high'] as const);
const TrustOut = Type.Object({
  brand: Type.Object({ slug: Type.String(), name: Type.String() }),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  level: Level,
  words: Type.String({ description: 'What happened, in words: "you\'ve talked often and bought twice"' }),
  text: Type.String({ description: 'The line the page shows: "Volt: you\'ve talked often and bought twice"' }),
  retired: Type.Array(
    Type.Object({
      fact_id: Type.String(),
      description: Type.Union([Type.String(), Type.Null()], { description: 'null when the fact is gone' }),
      purpose: Type.String(),
      retired_at: DateTime,
    }),
    { description: 'Facts this brand may no longer use, because the person said it was too creepy' },
  ),
});
const UsePurpose = StringEnum(['service', 'recommendations', 'marketing'] as const);

export function trustRoutes(app: App, ctx: AppContext) {
  app.get(
    '/v1/me/trust',
    {
      schema: {
        tags: ['me'],
        summary: 'How things stand with each brand, in words, and the fact uses I retired',
        security: shopperSecurity,
        response: { 200: Type.Object({ brands: Type.Array(TrustOut) }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const now = ctx.now();
      const [pairs, links, retired, facts, brands] = await Promise.all([
        trustOfPerson(ctx.db, person.id, now),
        linksOf(ctx.db, person.id),
        retirementsOf(ctx.db, person.id),
        factsOf(ctx.db, person.id),
        listBrands(ctx.db),
      ]);
      const byId = new Map(brands.map((b) => [b.id, b]));
      const bySlug = new Map(brands.map((b) => [b.slug, b]));
      const fact = new Map(facts.map((f) => [f.id, f]));
      const ids = [
        ...new Set([...pairs.map((p) => p.brandId), ...links.flatMap((l) => bySlug.get(l.brand.slug)?.id ?? [])]),
      ];
      const out = [];
      for (const id of ids) {
        const b = byId.get(id);
        if (!b) continue;
        const t = pairs.find((p) => p.brandId === id)?.trust ?? (await trustBetween(ctx.db, person.id, id, now));
        out.push({
          brand: { slug: b.slug, name: b.name },
          ...t,
          text: `${b.name}: ${t.words}`,
          retired: retired
            .filter((r) => r.brandId === id)
            .map((r) => {
              const f = fact.get(r.factId);
              return {
                fact_id: r.factId,
                description: f ? describeFact(f) : null,
                purpose: r.purpose,
                retired_at: r.retiredAt,
              };
            }),
        });
      }
      return { brands: out };
    },
  );

  app.post(
    '/v1/me/too-creepy',
    {
      schema: {
        tags: ['me'],
        summary:
          'That was too personal: the brand may no longer use these facts (for anything), and my trust in it drops',
        description:
          'The button on a reply or message that used facts. The facts are retired for this brand, and for the use named (`purpose`) everywhere.',
        security: shopperSecurity,
        body: Type.Object(
          {
            brand: Type.String({ minLength: 1, maxLength: 64, description: "The brand's slug" }),
            fact_ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 20, uniqueItems: true }),
            purpose: Type.Optional(UsePurpose),
          },
          { additionalProperties: false },
        ),
        response: { 200: TrustOut },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const body = req.body as {
        brand: string;
        fact_ids: string[];
        purpose?: 'service' | 'recommendations' | 'marketing';
      };
      const brand = await brandBySlug(ctx.db, body.brand);
      if (!brand) throw new AppError('not_found', `no brand ${body.brand}`, '/body/brand');
      const now = ctx.now();
      const purpose = body.purpose ?? 'recommendations';
      const mine = new Map((await factsOf(ctx.db, person.id)).map((f) => [f.id, f]));
      body.fact_ids.forEach((id, i) => {
        if (!mine.has(id)) throw new AppError('not_found', `no fact ${id} of yours`, `/body/fact_ids/${i}`);
      });
      await inTransaction(ctx.db, async (tx) => {
        await retireFactUse(tx, person.id, body.fact_ids, purpose);
        await recordTrustSignal(tx, {
          personId: person.id,
          brandId: brand.id,
          kind: 'too_creepy',
          factIds: body.fact_ids,
          purpose,
          at: now,
        });
      });
      const t = await trustBetween(ctx.db, person.id, brand.id, now);
      const retired = await retirementsOf(ctx.db, person.id);
      return {
        brand: { slug: brand.slug, name: brand.name },
        ...t,
        text: `${brand.name}: ${t.words}`,
        retired: retired
          .filter((r) => r.brandId === brand.id)
          .map((r) => ({
            fact_id: r.factId,
            description: mine.has(r.factId) ? describeFact(mine.get(r.factId)!) : null,
            purpose: r.purpose,
            retired_at: r.retiredAt,
          })),
      };
    },
  );

  app.get(
    '/v1/brand/trust-summary',
    {
      schema: {
        tags: ['brand'],
        summary:
          "How much its customers trust the brand: counts per level over those who granted it analytics, never a person's score",
        security: brandSecurity,
        response: {
          200: Type.Object({
            persons: Type.Integer(),
            levels: Type.Object({
              new: Type.Union([Type.Integer(), Type.Null()]),
              low: Type.Union([Type.Integer(), Type.Null()]),
              medium: Type.Union([Type.Integer(), Type.Null()]),
              high: Type.Union([Type.Integer(), Type.Null()]),
            }),
            min_bucket: Type.Integer({ description: 'A level with fewer persons than this is null (hidden)' }),
            mean_score: Type.Union([Type.Number(), Type.Null()]),
            at: DateTime,
          }),
        },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return trustSummary(ctx.db, brand.id, ctx.now());
    },
  );
}
