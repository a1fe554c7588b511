/**
 * The brand console: `/console` (a static page) and its API under `/console/api`, authenticated by the console's
 * own HTTP-only cookie. Sign-in takes the secret key in a POST body from the console's form, or an invite the
 * CLI e-mailed (`npx confidant console invite`); never a key in a URL. Writes ask for JSON, so another site's
 * form cannot post here, and the cookie is same-site strict.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../../server/app.js';
import type { AppContext } from '../../context.js';
import { brandBySecretKey } from '../../brands/brands.js';
import { AppError } from '../../errors.js';
import { inTransaction } from '../../db/pool.js';
import { cleanText } from '../../conversation/routes.js';
import { answerHandoff, listHandoffs } from '../../conversation/handoffs.js';
import { CONSOLE_COOKIE, CONSOLE_SESSION_HOURS, consoleToken, consoleUser, readInvite } from './session.js';
import { consoleFigures } from './figures.js';

const hide = { hide: true };

export function consoleApi(app: App, ctx: AppContext) {
  const cookie = () => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: ctx.publicUrl.startsWith('https:'),
    path: '/console',
    maxAge: CONSOLE_SESSION_HOURS * 3600,
  });
  const brandName = async (id: number) =>
    (await ctx.db.query('SELECT slug, name FROM brands WHERE id = $1', [id])).rows[0] as
      | { slug: string; name: string }
      | undefined;

  app.post(
    '/console/api/session',
    {
      schema: {
        ...hide,
        body: Type.Union([
          Type.Object({ secret_key: Type.String({ minLength: 8, maxLength: 200 }) }, { additionalProperties: false }),
          Type.Object({ invite: Type.String({ minLength: 8, maxLength: 600 }) }, { additionalProperties: false }),
        ]),
      },
    },
    async (req, reply) => {
      const body = req.body as { secret_key?: string; invite?: string };
      let brandId: number;
      let who: string;
      if (body.secret_key !== undefined) {
        const brand = body.secret_key.startsWith('sk_') ? await brandBySecretKey(ctx.db, body.secret_key) : null;
        if (!brand) throw new AppError('unauthorized', 'that is not a secret key of any brand', '/body/secret_key');
        brandId = brand.id;
        who = 'secret key';
      } else {
        const invite = readInvite(ctx, body.invite ?? '');
        if (!invite)
          throw new AppError('unauthorized', 'this invite is unknown or expired: ask for a new one', '/body/invite');
        brandId = invite.brandId;
        who = invite.who;
      }
      const brand = await brandName(brandId);
      if (!brand) throw new AppError('unauthorized', 'this brand no longer exists');
      return reply.setCookie(CONSOLE_COOKIE, consoleToken(ctx, brandId, who), cookie()).send({ brand, who });
    },
  );

  app.post('/console/api/logout', { schema: hide }, async (_req, reply) =>
    reply.clearCookie(CONSOLE_COOKIE, { path: '/console' }).send({ signed_out: true }),
  );

  app.get('/console/api/me', { schema: hide }, async (req) => {
    const user = consoleUser(ctx, req);
    const brand = await brandName(user.brandId);
    if (!brand) throw new AppError('unauthorized', 'this brand no longer exists');
    return { brand, who: user.who };
  });

  app.get(
    '/console/api/figures',
    {
      schema: { ...hide, querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 7, maximum: 90 })) }) },
    },
    async (req) => consoleFigures(ctx.db, consoleUser(ctx, req).brandId, ctx.now(), req.query.days ?? 14),
  );

  app.get('/console/api/handoffs', { schema: hide }, async (req) => ({
    handoffs: await listHandoffs(ctx, consoleUser(ctx, req).brandId, { status: 'open', limit: 50 }),
  }));

  app.post(
    '/console/api/handoffs/:id/reply',
    {
      schema: {
        ...hide,
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) }),
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const { brandId } = consoleUser(ctx, req);
      const text = cleanText(req.body.text);
      return inTransaction(ctx.db, (tx) => answerHandoff(tx, brandId, req.params.id, text, ctx.now()));
    },
  );
}
