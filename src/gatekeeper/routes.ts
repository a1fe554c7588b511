import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromSecretKey, brandSecurity, shopperFromToken, shopperSecurity } from '../server/auth.js';
import { DateTime, FactFields } from '../http-schemas.js';
import { StringEnum } from '../validation.js';
import { PURPOSES, type Purpose as PurposeName } from './view.js';
import type { Scope as ScopeName } from '../profile/facts.js';
import { SCOPES, grantsOf, putGrants, removeGrants } from './grants.js';
import { profileForBrand } from './brand-profile.js';
import { auditEntriesOf } from './audit.js';
import { exportDocument } from './export.js';
import { exportJsonSchema } from './export-schema.js';
import { erasePerson } from './erase.js';
import { setWebhook } from '../messaging/index.js';

const Purpose = StringEnum(PURPOSES, { description: 'Why the data is used: every brand call says it' });
const Scope = StringEnum(SCOPES);
const Nullable = <T extends ReturnType<typeof Type.String> | typeof DateTime>(t: T) => Type.Union([t, Type.Null()]);
const BrandRef = Type.Object({ slug: Type.String(), name: Type.String() });

const GrantSchema = Type.Object({
  brand: BrandRef,
  scope: Type.String(),
  purpose: Type.String(),
  granted_at: DateTime,
  how: Type.String(),
  explicit: Type.Boolean({ description: 'Given for this scope alone: only then does it cover special-category facts' }),
  expires_at: Nullable(DateTime),
  revoked_at: Nullable(DateTime),
  status: StringEnum(['active', 'expired', 'revoked'] as const),
});
const grantOut = (g: Awaited<ReturnType<typeof grantsOf>>[number]) => ({
  brand: g.brand,
  scope: g.scope,
  purpose: g.purpose,
  granted_at: g.grantedAt,
  how: g.how,
  explicit: g.explicit,
  expires_at: g.expiresAt,
  revoked_at: g.revokedAt,
  status: g.status,
});

export function gatekeeperRoutes(app: App, ctx: AppContext) {
  app.get(
    '/v1/people/:pid/profile',
    {
      schema: {
        tags: ['gatekeeper'],
        summary:
          'The facts about a person this brand was granted for this purpose, each with source and time (audited)',
        security: brandSecurity,
        params: Type.Object({
          pid: Type.String({ minLength: 1, maxLength: 100, description: "The brand's pseudonymous id for the person" }),
        }),
        querystring: Type.Object({ purpose: Purpose }),
        response: {
          200: Type.Object({
            pid: Type.String(),
            purpose: Type.String(),
            facts: Type.Array(Type.Object({ ...FactFields, at: DateTime })),
          }),
        },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return profileForBrand(
        ctx,
        brand.id,
        req.params.pid,
        req.query.purpose as PurposeName,
        'GET /v1/people/{pid}/profile',
      );
    },
  );

  app.get(
    '/v1/me/grants',
    {
      schema: {
        tags: ['me'],
        summary: 'What I let brands use, and for what',
        security: shopperSecurity,
        querystring: Type.Object({
          brand: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          include_inactive: Type.Boolean({ default: false, description: 'Also list expired and revoked grants' }),
        }),
        response: { 200: Type.Object({ grants: Type.Array(GrantSchema) }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const all = await grantsOf(ctx.db, person.id, ctx.now(), { includeInactive: req.query.include_inactive });
      return { grants: all.filter((g) => !req.query.brand || g.brand.slug === req.query.brand).map(grantOut) };
    },
  );

  app.put(
    '/v1/me/grants',
    {
      schema: {
        tags: ['me'],
        summary:
          'Let a brand use scopes of my profile for purposes (special categories only one at a time; "all" leaves them out)',
        security: shopperSecurity,
        body: Type.Object(
          {
            brand: Type.String({ minLength: 1, maxLength: 64, description: "The brand's slug" }),
            scopes: Type.Union([Type.Array(Scope, { minItems: 1, maxItems: SCOPES.length }), Type.Literal('all')], {
              description:
                'Scopes, or "all" for every scope except the special categories (profile.allergies, profile.budget, location.precise)',
            }),
            purposes: Type.Array(Purpose, { minItems: 1, maxItems: PURPOSES.length }),
            expires_at: Type.Optional(Type.String({ format: 'date-time' })),
            how: Type.Optional(StringEnum(['page', 'chat', 'api'] as const)),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ grants: Type.Array(GrantSchema) }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      // (The enums come through the type provider as unknown; the schema has checked them.)
      const b = req.body as {
        brand: string;
        scopes: ScopeName[] | 'all';
        purposes: PurposeName[];
        expires_at?: string;
        how?: string;
      };
      const grants = await putGrants(ctx, person.id, {
        brand: b.brand,
        scopes: b.scopes,
        purposes: b.purposes,
        expiresAt: b.expires_at ? new Date(b.expires_at) : null,
        how: b.how ?? 'api',
      });
      return { grants: grants.map(grantOut) };
    },
  );

  app.delete(
    '/v1/me/grants',
    {
      schema: {
        tags: ['me'],
        summary: 'Revoke grants (all, or of one brand, scopes, purposes); effective on the next brand call',
        security: shopperSecurity,
        querystring: Type.Object({
          brand: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          scopes: Type.Optional(Type.Array(Scope, { maxItems: SCOPES.length })),
          purposes: Type.Optional(Type.Array(Purpose, { maxItems: PURPOSES.length })),
        }),
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      return {
        revoked: await removeGrants(
          ctx,
          person.id,
          req.query as { brand?: string; scopes?: ScopeName[]; purposes?: PurposeName[] },
        ),
      };
    },
  );

  app.get(
    '/v1/me/audit',
    {
      schema: {
        tags: ['me'],
        summary: 'Every brand read and use of my data, newest first',
        security: shopperSecurity,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
        }),
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object({
                id: Type.Integer(),
                at: DateTime,
                brand: BrandRef,
                action: Type.String(),
                purpose: Type.String(),
                scopes: Type.Array(Type.String()),
                facts: Type.Array(Type.Object({ id: Type.String(), text: Type.Union([Type.String(), Type.Null()]) })),
                call: Type.String(),
              }),
            ),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const page = await auditEntriesOf(ctx.db, person.id, req.query);
      return { entries: page.entries, next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/me/export',
    {
      schema: {
        tags: ['me'],
        summary: 'Everything held about me, as one JSON document (streamed; schema at /v1/schemas/export.json)',
        security: shopperSecurity,
        response: { 200: Type.Unknown({ description: 'The export document: see /v1/schemas/export.json' }) },
      },
    },
    async (req, reply) => {
      const person = await shopperFromToken(ctx, req);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="confidant-export.json"')
        .header('cache-control', 'no-store')
        .send(Readable.from(exportDocument(ctx, person.id)));
    },
  );

  app.get(
    '/v1/schemas/export.json',
    { schema: { tags: ['me'], summary: 'The JSON Schema of the export document', response: { 200: Type.Unknown() } } },
    async () => exportJsonSchema(ctx.publicUrl),
  );

  app.delete(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Erase me everywhere; linked brands are told by signed webhook. Returns the erasure receipt',
        security: shopperSecurity,
        response: {
          200: Type.Object({
            erasure_id: Type.String(),
            requested_at: DateTime,
            completed_at: DateTime,
            counts: Type.Record(Type.String(), Type.Integer(), { description: 'Rows erased, per table' }),
            brands_notified: Type.Integer(),
          }),
        },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const r = await erasePerson(ctx, person.id);
      return {
        erasure_id: r.erasureId,
        requested_at: r.requestedAt,
        completed_at: r.completedAt,
        counts: r.counts,
        brands_notified: r.brandsNotified,
      };
    },
  );

  app.put(
    '/v1/brand/webhook',
    {
      schema: {
        tags: ['brands'],
        summary:
          'Set the webhook URL for notifications (person.erased); returns the signing secret (Standard Webhooks)',
        security: brandSecurity,
        body: Type.Object(
          {
            url: Type.Union([Type.String({ minLength: 8, maxLength: 2000 }), Type.Null()]),
            rotate_secret: Type.Optional(Type.Boolean({ description: 'Make a new signing secret' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            url: Type.Union([Type.String(), Type.Null()]),
            secret: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return setWebhook(ctx.db, brand.id, req.body.url, req.body.rotate_secret ?? false);
    },
  );
}
