import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyBaseLogger,
  type RawServerDefault,
  type RawRequestDefaultExpression,
  type RawReplyDefaultExpression,
} from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorHandler } from './errors.js';
import { AppError } from '../errors.js';
import { ROUTES } from './routes.js';
import { authenticateFirst, brandFromWriteKey, schemeOf } from './auth.js';
import { parseJsonBody } from './body.js';
import { validatorCompiler } from './validators.js';
import { allowedMethods } from './methods.js';
import { ErrorBody, documentErrors } from './openapi.js';

/** The largest body of any route (a tracking batch); routes ask for less (`bodyLimit`). */
export const BODY_MAX_BYTES = 500 * 1024;

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    // A line per request costs more than the request itself at tracking rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: process.env.CONFIDANT_REQUEST_LOG !== '1' }),
    bodyLimit: BODY_MAX_BYTES,
    // Longer than any path parameter's schema allows: the schema decides (404), not the router (414).
    routerOptions: { maxParamLength: 1000 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());
  // One JSON parser for every route (tracking adds its content types in its own scope).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, parseJsonBody(text as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  const methods = allowedMethods(app);
  // Every route's error answers are documented, with the one error body.
  app.addSchema(ErrorBody);
  app.addHook('onRoute', documentErrors);

  await app.register(cookie);
  // Every answer: a Content-Security-Policy (scripts, styles and frames only from here), no framing by other sites,
  // nosniff. A route that must differ (say, a widget other sites embed) passes `helmet: {...}` in its options.
  const https = ctx.publicUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': https ? [] : null },
    },
    frameguard: { action: 'deny' },
    hsts: https,
  });
  // Who is calling is settled before the body is read (a write key that is in the body: before it is validated).
  app.addHook('onRequest', authenticateFirst(ctx));
  app.addHook('preValidation', async (req) => {
    if (schemeOf(req) === 'writeKey') await brandFromWriteKey(ctx, req);
  });
  await app.register(swagger, {
    // Components are named by their $id (the error body is #/components/schemas/Error).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) ?? `def-${i}` },
    openapi: {
      // 3.1: the schemas are JSON Schema 2020-12 (exclusiveMinimum as a number, null as a type).
      openapi: '3.1.0',
      info: {
        title: 'Confidant API',
        version: '0.1.0',
        description:
          'Personalization engine for conversational commerce. Brands reach a person only through the gatekeeper.',
      },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic', description: 'Segment-style: the write key as user name' },
          secretKey: { type: 'http', scheme: 'bearer', description: 'A brand secret key (sk_...)' },
          shopperToken: { type: 'http', scheme: 'bearer', description: 'A shopper access token (tok_...)' },
          widgetSession: { type: 'http', scheme: 'bearer', description: 'A chat widget session (wt_...)' },
        },
      },
    },
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    const allow = methods(req.url);
    if (allow.length)
      return reply
        .status(405)
        .header('allow', allow.join(', '))
        .send({
          error: { code: 'method_not_allowed', message: `${req.method} is not allowed here; use ${allow.join(', ')}` },
        });
    return reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });

  app.get(
    '/health',
    {
      schema: {
        hide: false,
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' } } } },
      },
    },
    async () => {
      await ctx.db.query('SELECT 1');
      return { status: 'ok', database: ctx.databaseKind };
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const register of ROUTES) await app.register(async (scope) => register(scope as unknown as App, ctx));

  return app;
}

/** Rejects a JSON body that is not an object when a route needs one; Fastify's schema does the rest. */
export function requireObject(body: unknown, path = '/body') {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('validation_failed', 'the body must be a JSON object', path);
}
