/**
 * The embeddable chat's API, called from the shop's pages (CORS limited to the origins the brand lists):
 * a session (anonymous, or a customer the shop's server vouched for with an HMAC of their id), the chat,
 * the way to link, consent the shop asks for, and recommendation clicks. `GET/PUT /v1/brand/widget` is the
 * brand's own setting of it (origins, position, colour, language) and gives the identity secret.
 */
import cors from '@fastify/cors';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../server/app.js';
import type { AppContext } from '../../context.js';
import { type Brand, brandBySlug } from '../../brands/brands.js';
import { brandFromSecretKey, brandSecurity } from '../../server/auth.js';
import { AppError } from '../../errors.js';
import { personById } from '../../people/people.js';
import { createLinkRequest } from '../../people/links.js';
import { respond } from '../../conversation/respond.js';
import { cleanText } from '../../conversation/routes.js';
import { listMessages } from '../../conversation/store.js';
import { grant, PURPOSES, SPECIAL_SCOPES, type Purpose } from '../../gatekeeper/view.js';
import type { Scope } from '../../profile/facts.js';
import { answerAnonymous } from './anonymous.js';
import { countWidget, Origin, saveWidgetSettings, WidgetLook, widgetSettings } from './settings.js';
import {
  customerHashValid,
  identitySecret,
  signSession,
  verifySession,
  WIDGET_SESSION_HOURS,
  type WidgetSession,
} from './token.js';

const Slug = Type.Object({ brand: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) });
const widgetSecurity = [{ widgetSession: [] }];
const Action = Type.Object({ label: Type.String(), value: Type.String() });
const Product = Type.Object({
  product_id: Type.String(),
  name: Type.String(),
  price: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.String(),
});
const Handoff = Type.Union([
  Type.Object({
    status: Type.String({ description: 'open (waiting for a person) or answered' }),
    created_at: Type.String(),
  }),
  Type.Null(),
]);
const Status = Type.Union([Type.Literal('anonymous'), Type.Literal('unlinked'), Type.Literal('linked')], {
  description:
    'anonymous: not identified; unlinked: the shop vouched for its customer, who has not linked a Confidant; linked: their own conversation',
});
const UsedFact = Type.Object(
  { id: Type.String(), description: Type.String(), kind: Type.String() },
  { additionalProperties: true },
);
const Message = Type.Object({
  id: Type.Integer(),
  role: Type.String(),
  text: Type.String(),
  actions: Type.Array(Action),
  used_facts: Type.Array(UsedFact),
  at: Type.String(),
});

const ALL_SCOPES: Scope[] = [
  'identity.name',
  'identity.contact',
  'profile.sizes',
  'profile.diet',
  'profile.allergies',
  'profile.likes',
  'profile.budget',
  'profile.dates',
  'profile.household',
  'gifts',
  'orders.other_brands',
  'location.city',
  'location.precise',
];

const originOf = (url: string) => {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return '';
  }
};

export function widgetApi(app: App, ctx: AppContext) {
  const brandOf = async (slug: string): Promise<Brand> => {
    const brand = await brandBySlug(ctx.db, slug);
    if (!brand) throw new AppError('not_found', `no brand "${slug}"`, '/params/brand');
    return brand;
  };

  /** The server's own pages (the demo shops) may always call; other pages only from the origins the brand lists. */
  const originAllowed = async (req: FastifyRequest, brand: Brand, origin: string) => {
    const own = [`${req.protocol}://${req.headers.host}`.toLowerCase(), originOf(ctx.publicUrl)];
    if (own.includes(origin.toLowerCase())) return true;
    return (await widgetSettings(ctx.db, brand.id)).allowedOrigins.includes(origin.toLowerCase());
  };

  // Under its own prefix: the CORS plugin's catch-all OPTIONS route is then `/v1/widget/*`, apart from the
  // tracking routes' own.
  app.register(
    async (plugin) => {
      const scope = plugin as unknown as App;
      await scope.register(cors, {
        hook: 'onRequest',
        delegator: (req, done) => {
          const slug = /^\/v1\/widget\/([a-z0-9-]+)\//.exec(req.url)?.[1];
          const origin = req.headers.origin;
          if (!slug || !origin) return done(null, { origin: false });
          brandBySlug(ctx.db, slug)
            .then(async (brand) => {
              const ok = brand ? await originAllowed(req, brand, origin) : false;
              done(null, {
                origin: ok ? origin : false,
                methods: ['GET', 'POST'],
                allowedHeaders: ['content-type', 'authorization'],
                maxAge: 600,
              });
            })
            .catch((err) => done(err, { origin: false }));
        },
      });

      /** Every widget call: the brand, the page's origin allowed, and (except for a new session) a valid session. */
      const guard = async (req: FastifyRequest) => {
        const brand = await brandOf((req.params as { brand: string }).brand);
        const origin = req.headers.origin;
        if (origin && !(await originAllowed(req, brand, origin)))
          throw new AppError('forbidden', `${origin} is not among the origins ${brand.name} allows for its chat`);
        return brand;
      };
      const session = (req: FastifyRequest, brand: Brand): WidgetSession => {
        const m = /^Bearer\s+(wt_\S+)$/i.exec(req.headers.authorization ?? '');
        const s = m ? verifySession(ctx.secret, m[1], brand.id, ctx.now()) : null;
        if (!s) throw new AppError('unauthorized', 'start a widget session first (POST /v1/widget/{brand}/sessions)');
        return s;
      };
      const personOf = async (s: WidgetSession) => {
        const person = s.personId ? await personById(ctx.db, s.personId) : null;
        if (s.personId && !person) throw new AppError('unauthorized', 'this Confidant no longer exists');
        return person;
      };
      const handoffOf = async (personId: string, brandId: number) => {
        const r = await ctx.db.query(
          `SELECT status, created_at FROM handoffs WHERE person_id = $1 AND brand_id = $2 ORDER BY created_at DESC LIMIT 1`,
          [personId, brandId],
        );
        const h = r.rows[0];
        return h ? { status: h.status as string, created_at: new Date(h.created_at).toISOString() } : null;
      };

      scope.post(
        '/:brand/sessions',
        {
          schema: {
            tags: ['widget'],
            summary:
              "Start the shop's chat: anonymous, or as the shop's signed-in customer (customer_hash = hex HMAC-SHA256 of customer_id with the brand's identity secret)",
            params: Slug,
            body: Type.Object(
              {
                customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
                customer_hash: Type.Optional(
                  Type.String({ minLength: 1, maxLength: 200, description: 'hex HMAC-SHA256 of customer_id' }),
                ),
              },
              { additionalProperties: false },
            ),
            response: {
              401: Type.Unsafe({
                $ref: 'Error#',
                description: 'customer_hash is missing or does not sign customer_id',
              }),
              403: Type.Unsafe({ $ref: 'Error#', description: 'The page is not on an origin the brand lists' }),
              201: Type.Object({
                token: Type.String({ description: 'Send as a Bearer token on the other widget calls' }),
                status: Status,
                brand: Type.Object({ slug: Type.String(), name: Type.String() }),
                look: WidgetLook,
                expires_at: Type.String(),
              }),
            },
          },
        },
        async (req, reply) => {
          const brand = await guard(req);
          const { customer_id: customerId, customer_hash: hash } = req.body;
          // A customer id the shop's server did not sign identifies no one.
          if (
            customerId !== undefined &&
            !customerHashValid(identitySecret(ctx.secret, brand.id), customerId, hash ?? '')
          )
            throw new AppError(
              'unauthorized',
              "customer_hash is missing or does not match: sign the customer id on the shop's server",
              '/body/customer_hash',
            );
          let personId: string | null = null;
          if (customerId !== undefined) {
            const r = await ctx.db.query(
              'SELECT person_id FROM brand_customers WHERE brand_id = $1 AND external_id = $2 AND confirmed_at IS NOT NULL',
              [brand.id, customerId],
            );
            personId = r.rows[0]?.person_id ?? null;
          }
          const expiresAt = ctx.now().getTime() + WIDGET_SESSION_HOURS * 3600_000;
          const token = signSession(ctx.secret, {
            brandId: brand.id,
            personId,
            customerId: customerId ?? null,
            expiresAt,
          });
          return reply.status(201).send({
            token,
            status: personId ? 'linked' : customerId ? 'unlinked' : 'anonymous',
            brand: { slug: brand.slug, name: brand.name },
            look: (await widgetSettings(ctx.db, brand.id)).look,
            expires_at: new Date(expiresAt).toISOString(),
          });
        },
      );

      scope.get(
        '/:brand/messages',
        {
          schema: {
            tags: ['widget'],
            summary: "The linked customer's conversation with the shop (empty for anonymous visitors), and its handoff",
            security: widgetSecurity,
            params: Slug,
            response: {
              200: Type.Object({ messages: Type.Array(Message), handoff: Handoff }),
            },
          },
        },
        async (req) => {
          const brand = await guard(req);
          const person = await personOf(session(req, brand));
          if (!person) return { messages: [], handoff: null };
          const page = await listMessages(ctx.db, person.id, brand.id, { limit: 30 });
          return {
            messages: page.messages.map((m) => ({
              id: m.id,
              role: m.role,
              text: m.text,
              actions: m.actions,
              used_facts: m.used_facts,
              at: new Date(m.at).toISOString(),
            })),
            handoff: await handoffOf(person.id, brand.id),
          };
        },
      );

      scope.post(
        '/:brand/messages',
        {
          bodyLimit: 64 * 1024,
          schema: {
            tags: ['widget'],
            summary:
              'Say something in the shop chat: a linked customer talks to their own conversation; anyone else gets product answers',
            security: widgetSecurity,
            params: Slug,
            body: Type.Object(
              {
                text: Type.String({ minLength: 1, maxLength: 2000 }),
                session_items: Type.Optional(
                  Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
                    maxItems: 20,
                    description: 'Products this visitor looked at, most recent last',
                  }),
                ),
              },
              { additionalProperties: false },
            ),
            response: {
              200: Type.Object({
                reply: Type.Object({ text: Type.String(), actions: Type.Array(Action) }),
                intent: Type.String(),
                used_facts: Type.Array(UsedFact),
                products: Type.Array(Product),
                handoff: Handoff,
              }),
            },
          },
        },
        async (req) => {
          const brand = await guard(req);
          const s = session(req, brand);
          const person = await personOf(s);
          const text = cleanText(req.body.text);
          if (!person) {
            const turn = await answerAnonymous(ctx, brand, text, {
              identified: s.customerId !== null,
              sessionItems: req.body.session_items ?? [],
            });
            await countWidget(ctx.db, brand.id, 'recommendation_shown', turn.products.length, ctx.now());
            return { ...turn, used_facts: [], handoff: null };
          }
          const turn = await respond(ctx, person, brand, text);
          return {
            reply: turn.reply,
            intent: turn.understood.intent,
            used_facts: turn.used_facts,
            products: [],
            handoff: await handoffOf(person.id, brand.id),
          };
        },
      );

      scope.post(
        '/:brand/link',
        {
          schema: {
            tags: ['widget'],
            summary:
              "A link for the shop's identified customer to link their Confidant (opens on Confidant's own page)",
            security: widgetSecurity,
            params: Slug,
            response: { 201: Type.Object({ url: Type.String(), expires_at: Type.String() }) },
          },
        },
        async (req, reply) => {
          const brand = await guard(req);
          const s = session(req, brand);
          if (!s.customerId)
            throw new AppError('forbidden', `sign in at ${brand.name} first: only its customers can link`);
          const r = await createLinkRequest(ctx, brand.id, s.customerId);
          return reply.status(201).send({ url: r.url, expires_at: r.expiresAt.toISOString() });
        },
      );

      scope.post(
        '/:brand/consent',
        {
          schema: {
            tags: ['widget'],
            summary:
              'The customer said yes to what the shop asked (one everyday scope for one purpose); special categories only on their Confidant page',
            security: widgetSecurity,
            params: Slug,
            body: Type.Object(
              {
                scope: Type.Union(ALL_SCOPES.map((x) => Type.Literal(x))),
                purpose: Type.Union(PURPOSES.map((p) => Type.Literal(p))),
              },
              { additionalProperties: false },
            ),
            response: { 200: Type.Object({ granted: Type.Boolean() }) },
          },
        },
        async (req) => {
          const brand = await guard(req);
          const person = await personOf(session(req, brand));
          if (!person) throw new AppError('forbidden', `link your Confidant to ${brand.name} first`);
          if (SPECIAL_SCOPES.has(req.body.scope as Scope))
            throw new AppError(
              'forbidden',
              'a special category is only shared from your own Confidant page, one at a time',
              '/body/scope',
            );
          await grant(ctx.db, {
            personId: person.id,
            brandId: brand.id,
            scopes: [req.body.scope],
            purposes: [req.body.purpose as Purpose],
            how: 'widget',
            explicit: true,
            at: ctx.now(),
          });
          return { granted: true };
        },
      );

      scope.post(
        '/:brand/clicks',
        {
          schema: {
            tags: ['widget'],
            summary: 'A recommended product was opened from the chat (counted per brand and day, never per person)',
            security: widgetSecurity,
            params: Slug,
            body: Type.Object(
              { product_id: Type.String({ minLength: 1, maxLength: 200 }) },
              { additionalProperties: false },
            ),
            response: { 204: Type.Null() },
          },
        },
        async (req, reply) => {
          const brand = await guard(req);
          session(req, brand);
          await countWidget(ctx.db, brand.id, 'recommendation_clicked', 1, ctx.now());
          return reply.status(204).send(null);
        },
      );
    },
    { prefix: '/v1/widget' },
  );

  const Settings = Type.Object({
    allowed_origins: Type.Array(Origin),
    look: WidgetLook,
    identity_secret: Type.String({
      description: "Sign your signed-in customer's id with it on your server; never put it in a page",
    }),
  });
  const settingsOf = async (brand: Brand) => {
    const s = await widgetSettings(ctx.db, brand.id);
    return { allowed_origins: s.allowedOrigins, look: s.look, identity_secret: identitySecret(ctx.secret, brand.id) };
  };
  app.get(
    '/v1/brand/widget',
    {
      schema: {
        tags: ['widget'],
        summary: "The brand's chat widget settings and identity secret",
        security: brandSecurity,
        response: { 200: Settings },
      },
    },
    async (req) => settingsOf(await brandFromSecretKey(ctx, req)),
  );
  app.put(
    '/v1/brand/widget',
    {
      schema: {
        tags: ['widget'],
        summary: 'Set which origins may embed the chat, and how it looks',
        security: brandSecurity,
        body: Type.Object(
          {
            allowed_origins: Type.Optional(Type.Array(Origin, { maxItems: 50 })),
            look: Type.Optional(WidgetLook),
          },
          { additionalProperties: false },
        ),
        response: { 200: Settings },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      await saveWidgetSettings(
        ctx.db,
        brand.id,
        { allowedOrigins: req.body.allowed_origins, look: req.body.look },
        ctx.now(),
      );
      return settingsOf(brand);
    },
  );
}
