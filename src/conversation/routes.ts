import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity, shopperFromToken, shopperSecurity } from '../server/auth.js';
import { brandBySlug } from '../brands/index.js';
import { AppError, notFound } from '../errors.js';
import { inTransaction } from '../db/pool.js';
import { MAX_TEXT, respond } from './respond.js';
import { listMessages, OWN_CONFIDANT } from './store.js';
import { answerHandoff, listHandoffs } from './handoffs.js';

const ActionSchema = Type.Object({
  label: Type.String(),
  value: Type.String({ description: 'Send it back as the next message when the button is pressed' }),
});
const UsedFactSchema = Type.Object(
  {
    id: Type.String(),
    about: Type.String(),
    kind: Type.String(),
    value: Type.Unknown(),
    source: Type.String({ description: 'stated, observed, imported or inferred' }),
    source_brand_id: Type.Union([Type.Integer(), Type.Null()]),
    description: Type.String(),
    used_for: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const UnderstoodSchema = Type.Object(
  {
    text: Type.String(),
    intent: Type.String(),
    confidence: Type.Number(),
    facts: Type.Array(
      Type.Object({ about: Type.String(), kind: Type.String(), value: Type.Unknown(), polarity: Type.String() }),
    ),
  },
  { description: 'The message as understood (shared/contracts/understanding.md)' },
);
const TurnSchema = Type.Object({
  reply: Type.Object({ text: Type.String(), actions: Type.Array(ActionSchema) }),
  understood: UnderstoodSchema,
  used_facts: Type.Array(UsedFactSchema),
});
const MessageBody = Type.Object(
  {
    text: Type.String({
      minLength: 1,
      maxLength: MAX_TEXT,
      description: `What the shopper says, 1 to ${MAX_TEXT} characters`,
    }),
  },
  { additionalProperties: false },
);
const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  before: Type.Optional(
    Type.Integer({ minimum: 1, description: 'A message id: the page ends just before it (use next_before)' }),
  ),
});
const PageSchema = Type.Object({
  messages: Type.Array(
    Type.Object({
      id: Type.Integer(),
      role: Type.String({ description: 'shopper, assistant or operator' }),
      text: Type.String(),
      understood: Type.Union([UnderstoodSchema, Type.Null()]),
      actions: Type.Array(ActionSchema),
      used_facts: Type.Array(UsedFactSchema),
      at: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
    }),
  ),
  next_before: Type.Union([Type.Integer(), Type.Null()]),
});
const BrandParam = Type.Object({
  brand: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: "The brand's slug" }),
});

const HandoffSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  request: Type.String(),
  created_at: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
  answered_at: Type.Union([Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }), Type.Null()]),
});
const QueuedSchema = Type.Composite([
  HandoffSchema,
  Type.Object({
    person: Type.String({ description: "The brand's pseudonymous id for the shopper" }),
    customer_id: Type.Union([Type.String(), Type.Null()]),
    transcript: Type.Array(Type.Object({ role: Type.String(), text: Type.String(), at: Type.String() })),
  }),
]);

/** What a shopper typed, made safe to store: no NUL or other control characters (except new lines and tabs), trimmed. */
export function cleanText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();
  if (!text) throw new AppError('validation_failed', 'text is empty: say something', '/body/text');
  return text;
}

export function conversationRoutes(app: App, ctx: AppContext) {
  // Messages must be UTF-8 JSON; Fastify's own parser would quietly turn bad bytes into U+FFFD.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = /charset=([^;]+)/i
      .exec(req.headers['content-type'] ?? '')?.[1]
      ?.trim()
      .replace(/"/g, '')
      .toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8')
      return done(new AppError('bad_request', `send the body as UTF-8 JSON, not ${charset}`, '/body'), undefined);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      return done(
        new AppError('bad_request', 'the body is not valid UTF-8: send the text as UTF-8 JSON', '/body'),
        undefined,
      );
    }
    if (!text.trim())
      return done(new AppError('bad_request', 'the body is empty: send {"text": "..."}', '/body'), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new AppError('bad_request', `the body is not valid JSON: ${(err as Error).message}`, '/body'), undefined);
    }
  });

  const brandOf = async (slug: string) => {
    const brand = await brandBySlug(ctx.db, slug);
    if (!brand) throw notFound(`brand "${slug}"`);
    return brand;
  };

  app.post(
    '/v1/conversations/me/messages',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['conversation'],
        summary: "Talk to the shopper's own Confidant (no brand): answers across the brands they linked",
        security: shopperSecurity,
        body: MessageBody,
        response: { 200: TurnSchema },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      return respond(ctx, person, null, cleanText(req.body.text));
    },
  );

  app.get(
    '/v1/conversations/me/messages',
    {
      schema: {
        tags: ['conversation'],
        summary: "The shopper's conversation with their own Confidant, a page at a time",
        security: shopperSecurity,
        querystring: PageQuery,
        response: { 200: PageSchema },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      return listMessages(ctx.db, person.id, OWN_CONFIDANT, { limit: req.query.limit ?? 50, before: req.query.before });
    },
  );

  app.post(
    '/v1/conversations/:brand/messages',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['conversation'],
        summary:
          "Talk to a brand's assistant: answers from the brand's data about the shopper's own orders, through the gatekeeper",
        security: shopperSecurity,
        params: BrandParam,
        body: MessageBody,
        response: { 200: TurnSchema },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const brand = await brandOf(req.params.brand);
      return respond(ctx, person, brand, cleanText(req.body.text));
    },
  );

  app.get(
    '/v1/conversations/:brand/messages',
    {
      schema: {
        tags: ['conversation'],
        summary: "The shopper's conversation with a brand's assistant, a page at a time",
        security: shopperSecurity,
        params: BrandParam,
        querystring: PageQuery,
        response: { 200: PageSchema },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const brand = await brandOf(req.params.brand);
      return listMessages(ctx.db, person.id, brand.id, { limit: req.query.limit ?? 50, before: req.query.before });
    },
  );

  app.get(
    '/v1/handoffs',
    {
      schema: {
        tags: ['conversation'],
        summary: "Shoppers who asked for a person, in this brand's chat only (oldest open first)",
        security: brandSecurity,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('answered'), Type.Literal('all')], { default: 'open' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: Type.Object({ handoffs: Type.Array(QueuedSchema) }) },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return {
        handoffs: await listHandoffs(ctx, brand.id, {
          status: req.query.status ?? 'open',
          limit: req.query.limit ?? 50,
        }),
      };
    },
  );

  app.post(
    '/v1/handoffs/:id/reply',
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['conversation'],
        summary: "A person's answer to a handoff: it appears in the shopper's conversation",
        security: brandSecurity,
        params: Type.Object({ id: Type.String({ format: 'uuid', description: 'The handoff id' }) }),
        body: MessageBody,
        response: { 200: HandoffSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const text = cleanText(req.body.text);
      return inTransaction(ctx.db, (tx) => answerHandoff(tx, brand.id, req.params.id, text, ctx.now()));
    },
  );
}
