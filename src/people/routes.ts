import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import {
  SESSION_COOKIE,
  brandFromSecretKey,
  brandSecurity,
  shopperFromToken,
  shopperSecurity,
} from '../server/auth.js';
import { DateTime } from '../http-schemas.js';
import { revokeToken } from './people.js';
import { SESSION_DAYS, SIGN_IN_LINK_MINUTES, peekSignIn, requestSignIn, verifySignIn } from './signin.js';
import { confirmSignInPage, foreignSignInPage, spentSignInPage } from './signin-page.js';
import { AppError } from '../errors.js';
import { confirmLink, createLinkRequest, linkRequestStatus, linksOf, previewLink } from './links.js';

const Token = Type.String({ minLength: 8, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });
const Code = Type.Object({ code: Type.String({ minLength: 8, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }) });
const BrandRef = Type.Object({ slug: Type.String(), name: Type.String() });
const LinkSchema = Type.Object({ brand: BrandRef, customer_id: Type.String(), linked_at: DateTime });

/** The session token a request carries, bearer first, then the browser's cookie. */
function sessionTokenOf(req: FastifyRequest): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1].trim() : ((req.cookies?.[SESSION_COOKIE] as string | undefined) ?? null);
}

/**
 * A form post came from this server's own page, not another site: browsers say so in Sec-Fetch-Site; older ones
 * send an Origin, which must name this host ("null" under a no-referrer policy says nothing either way).
 */
function fromThisSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function peopleRoutes(app: App, ctx: AppContext) {
  const cookieOptions = () => ({
    httpOnly: true,
    // Lax: the cookie comes along when the person follows a link to Confidant, never on another site's POST.
    sameSite: 'lax' as const,
    secure: ctx.publicUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_DAYS * 24 * 3600,
  });

  app.post(
    '/v1/auth/email',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'E-mail a one-time sign-in link (the answer is the same for known and unknown addresses)',
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ sent: Type.Boolean(), expires_in_minutes: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      await requestSignIn(ctx, req.body.email);
      return reply.status(202).send({ sent: true, expires_in_minutes: SIGN_IN_LINK_MINUTES });
    },
  );

  // The confirm page's form posts `token=...`; only this room's routes read form bodies.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded'))
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
  const html = (description: string) => ({
    description,
    content: { 'text/html': { schema: Type.String() } },
  });

  app.get(
    '/v1/auth/verify',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Follow a sign-in link (browser): a page that asks to confirm; it spends nothing (link prefetchers open links)',
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: {
          200: html('The page that asks to confirm; its button POSTs the token'),
          401: html('The link is unknown, used or expired'),
        },
      },
    },
    async (req, reply) => {
      const token = req.query.token ?? '';
      const link = /^[A-Za-z0-9_-]{8,200}$/.test(token) ? await peekSignIn(ctx, token) : null;
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      return link ? reply.send(confirmSignInPage(link.email, token)) : reply.status(401).send(spentSignInPage());
    },
  );

  app.post(
    '/v1/auth/verify',
    {
      schema: {
        tags: ['sign-in'],
        summary:
          'Spend a sign-in link token. As JSON (API): returns a bearer access token. As a form (the confirm page): sets the HTTP-only session cookie and goes to /',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({ token: Type.String(), expires_in_days: Type.Integer() }),
          303: Type.Null(),
          401: html('(form) The link is unknown, used or expired'),
          403: html('(form) Posted from another site'),
        },
      },
    },
    async (req, reply) => {
      const form = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
      if (!form) {
        const { sessionToken } = await verifySignIn(ctx, req.body.token);
        return { token: sessionToken, expires_in_days: SESSION_DAYS };
      }
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      // A form posted from another site would sign this browser in as someone else (login CSRF).
      if (!fromThisSite(req)) return reply.status(403).send(foreignSignInPage());
      try {
        const { sessionToken } = await verifySignIn(ctx, req.body.token);
        return reply.setCookie(SESSION_COOKIE, sessionToken, cookieOptions()).redirect('/', 303);
      } catch (err) {
        if (err instanceof AppError && err.status === 401) return reply.status(401).send(spentSignInPage());
        throw err;
      }
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'Sign out: revokes this access token and clears the cookie',
        security: shopperSecurity,
        response: { 200: Type.Object({ signed_out: Type.Boolean() }) },
      },
    },
    async (req, reply) => {
      await shopperFromToken(ctx, req);
      await revokeToken(ctx.db, sessionTokenOf(req)!, ctx.now());
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).send({ signed_out: true });
    },
  );

  app.post(
    '/v1/people/link-requests',
    {
      schema: {
        tags: ['people'],
        summary:
          'Ask a customer to link their Confidant: returns a one-time code and URL to show them; only their confirmation links',
        security: brandSecurity,
        body: Type.Object(
          { customer_id: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ code: Type.String(), url: Type.String(), expires_at: DateTime }) },
      },
    },
    async (req, reply) => {
      const brand = await brandFromSecretKey(ctx, req);
      const r = await createLinkRequest(ctx, brand.id, req.body.customer_id);
      return reply.status(201).send({ code: r.code, url: r.url, expires_at: r.expiresAt });
    },
  );

  app.get(
    '/v1/people/link-requests/:code',
    {
      schema: {
        tags: ['people'],
        summary: "A link request's state; once the person confirmed, the brand's pseudonymous id (pid) for them",
        security: brandSecurity,
        params: Code,
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('expired')]),
            customer_id: Type.String(),
            pid: Type.Optional(Type.String()),
            expires_at: Type.Optional(DateTime),
            confirmed_at: Type.Optional(DateTime),
          }),
        },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const s = await linkRequestStatus(ctx, brand.id, req.params.code);
      return s.status === 'confirmed'
        ? { status: s.status, customer_id: s.customerId, pid: s.pid, confirmed_at: s.confirmedAt }
        : { status: s.status, customer_id: s.customerId, expires_at: s.expiresAt };
    },
  );

  app.get(
    '/v1/me/links',
    {
      schema: {
        tags: ['me'],
        summary: 'The brands I linked my Confidant with',
        security: shopperSecurity,
        response: { 200: Type.Object({ links: Type.Array(LinkSchema) }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      return {
        links: (await linksOf(ctx.db, person.id)).map((l) => ({
          brand: l.brand,
          customer_id: l.customerId,
          linked_at: l.linkedAt,
        })),
      };
    },
  );

  app.get(
    '/v1/me/links/:code',
    {
      schema: {
        tags: ['me'],
        summary: 'Which brand asks to link, before I confirm',
        security: shopperSecurity,
        params: Code,
        response: { 200: Type.Object({ brand: BrandRef, customer_id: Type.String() }) },
      },
    },
    async (req) => {
      await shopperFromToken(ctx, req);
      const p = await previewLink(ctx, req.params.code);
      return { brand: p.brand, customer_id: p.customerId };
    },
  );

  app.post(
    '/v1/me/links/:code',
    {
      schema: {
        tags: ['me'],
        summary:
          "Confirm a brand's link request: its customer becomes me, and its data about that customer joins my profile",
        security: shopperSecurity,
        params: Code,
        response: { 200: Type.Object({ ...LinkSchema.properties, moved: Type.Record(Type.String(), Type.Integer()) }) },
      },
    },
    async (req) => {
      const person = await shopperFromToken(ctx, req);
      const r = await confirmLink(ctx, person.id, req.params.code);
      return { brand: r.brand, customer_id: r.customerId, linked_at: r.linkedAt, moved: r.moved };
    },
  );
}
