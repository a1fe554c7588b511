import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { shopperFromToken, shopperSecurity } from '../server/auth.js';
import { inTransaction } from '../db/pool.js';
import { AppError, notFound } from '../errors.js';
import { DateTime, FactFields } from '../http-schemas.js';
import { brandSlugs } from '../brands/index.js';
import { StringEnum } from '../validation.js';
import { selfView } from '../gatekeeper/view.js';
import { type NewFact, type StoredFact, deleteFact, factById, factOut, recordFacts } from './facts.js';

/** The kinds a person can state by hand, and the shape of each one's value. */
const KINDS = [
  'diet',
  'allergy',
  'size',
  'like',
  'dislike',
  'budget',
  'date',
  'brand',
  'household',
  'location',
] as const;
type Kind = (typeof KINDS)[number];
const Words = Type.String({ minLength: 1, maxLength: 200 });
const SizeValue = Type.Object(
  { item: Type.String({ minLength: 1, maxLength: 100 }), size: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
const BudgetValue = Type.Object(
  {
    max: Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    for: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const DateValue = Type.Object(
  {
    occasion: Type.String({ minLength: 1, maxLength: 100 }),
    month: Type.Integer({ minimum: 1, maximum: 12 }),
    day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
  },
  { additionalProperties: false },
);
const FactValue = Type.Union([Words, SizeValue, BudgetValue, DateValue], {
  description: 'a string, or {item,size} for size, {max,currency,for?} for budget, {occasion,month,day?} for date',
});
const About = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern: '^[^\\u0000-\\u001f]+$',
  description: '"self" (default) or who it is about ("dad")',
});
const Polarity = StringEnum(['positive', 'negative'] as const);

const FactSchema = Type.Object({
  id: Type.String(),
  ...FactFields,
  source_brand: Type.Union([Type.String(), Type.Null()]),
  stated_at: DateTime,
  retired_uses: Type.Array(Type.String()),
});
const FactId = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The value must have the shape of its kind; words are kept as said, diets and allergens in the contract's snake_case. */
function normalValue(kind: Kind, value: Static<typeof FactValue>): NewFact['value'] {
  const shapes = { size: SizeValue, budget: BudgetValue, date: DateValue } as const;
  if (kind === 'size' || kind === 'budget' || kind === 'date') {
    if (!Value.Check(shapes[kind], value))
      throw new AppError(
        'unprocessable',
        `a ${kind} is an object with ${Object.keys(shapes[kind].properties).join(', ')}`,
        '/body/value',
      );
    return value as NewFact['value'];
  }
  if (typeof value !== 'string' || !value.trim())
    throw new AppError('unprocessable', `a ${kind} is a few words`, '/body/value');
  const words = value.trim();
  return kind === 'diet' || kind === 'allergy' ? words.toLowerCase().replace(/[\s-]+/g, '_') : words;
}

export function profileRoutes(app: App, ctx: AppContext) {
  const slugs = () => brandSlugs(ctx.db);
  const out = (f: StoredFact, slugs: Map<number, string>) => ({
    id: f.id,
    ...factOut(f),
    source_brand: f.sourceBrandId === null ? null : (slugs.get(Number(f.sourceBrandId)) ?? null),
    stated_at: f.statedAt,
    retired_uses: f.retiredUses,
  });

  app.get(
    '/v1/me/profile',
    {
      schema: {
        tags: ['me'],
        summary: 'Everything Confidant knows about me, each fact with where it came from',
        security: shopperSecurity,
        response: {
          200: Type.Object({
            person: Type.Object({
              email: Type.Union([Type.String(), Type.Null()]),
              display_name: Type.Union([Type.String(), Type.Null()]),
              time_zone: Type.String(),
            }),
            facts: Type.Array(FactSchema),
          }),
        },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const [view, names] = await Promise.all([selfView(ctx.db, person.id), slugs()]);
      return {
        person: { email: person.email, display_name: person.displayName, time_zone: person.timeZone },
        facts: view.facts.map((f) => out(f, names)),
      };
    },
  );

  app.post(
    '/v1/me/profile/facts',
    {
      schema: {
        tags: ['me'],
        summary: 'State a fact about myself (or someone I shop for) by hand',
        security: shopperSecurity,
        body: Type.Object(
          { about: Type.Optional(About), kind: StringEnum(KINDS), value: FactValue, polarity: Type.Optional(Polarity) },
          { additionalProperties: false },
        ),
        response: { 201: FactSchema },
      },
    },
    async (req, reply) => {
      const person = await shopperFromToken(ctx, req);
      const b = req.body as {
        about?: string;
        kind: Kind;
        value: Static<typeof FactValue>;
        polarity?: 'positive' | 'negative';
      };
      const fact: NewFact = {
        about: (b.about ?? 'self').trim().toLowerCase(),
        kind: b.kind,
        value: normalValue(b.kind, b.value),
        polarity: b.polarity ?? 'positive',
      };
      const [stored] = await recordFacts(ctx.db, person.id, [fact], { source: 'stated', confidence: 1, at: ctx.now() });
      return reply.status(201).send(out(stored, await slugs()));
    },
  );

  app.patch(
    '/v1/me/profile/facts/:id',
    {
      schema: {
        tags: ['me'],
        summary:
          'Correct a fact: what I say replaces what was observed or inferred (its id changes when its value does)',
        security: shopperSecurity,
        params: FactId,
        body: Type.Object(
          { about: Type.Optional(About), value: Type.Optional(FactValue), polarity: Type.Optional(Polarity) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: FactSchema },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const old = await factById(ctx.db, person.id, req.params.id);
      if (!old) throw notFound('fact');
      const b = req.body as { about?: string; value?: Static<typeof FactValue>; polarity?: 'positive' | 'negative' };
      const kind = old.kind as Kind;
      const fact: NewFact = {
        about: (b.about ?? old.about).trim().toLowerCase(),
        kind,
        value: b.value === undefined ? (old.value as NewFact['value']) : normalValue(kind, b.value),
        polarity: b.polarity ?? old.polarity,
      };
      // A corrected fact is the person's word: stated, sure. Same identity: updated in place; else the old one goes.
      const stored = await inTransaction(ctx.db, async (tx) => {
        const [saved] = await recordFacts(tx, person.id, [fact], { source: 'stated', confidence: 1, at: ctx.now() });
        if (saved.id !== old.id) await deleteFact(tx, person.id, old.id);
        return saved;
      });
      return out(stored, await slugs());
    },
  );

  app.delete(
    '/v1/me/profile/facts/:id',
    {
      schema: {
        tags: ['me'],
        summary: 'Forget a fact',
        security: shopperSecurity,
        params: FactId,
        response: { 200: Type.Object({ deleted: Type.Boolean() }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      if (!(await deleteFact(ctx.db, person.id, req.params.id))) throw notFound('fact');
      return { deleted: true };
    },
  );
}
