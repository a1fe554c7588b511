/**
 * `POST /v1/voice/alexa`: the Alexa Skills Kit endpoint. Every request's signature and timestamp are checked
 * (Amazon's certificate chain, ask-sdk-express-adapter's verifiers) unless ALEXA_VERIFY_SIGNATURES=0, for local
 * testing only. `/v1/voice/alexa/authorize` is the account-linking page (implicit grant): the signed-in person
 * gives Alexa an access token of their own, which they can revoke like any other.
 */
import { Type } from '@sinclair/typebox';
import { SkillRequestSignatureVerifier, TimestampVerifier } from 'ask-sdk-express-adapter';
import type { RequestEnvelope } from 'ask-sdk-model';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { SESSION_COOKIE } from '../server/auth.js';
import { issueToken, personByToken } from '../people/people.js';
import { alexaSkill } from './alexa.js';

/** Where Amazon's account linking may send the token back (its documented redirect hosts), plus any configured. */
const REDIRECT_HOSTS = ['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp'];

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function redirectAllowed(uri: string): boolean {
  try {
    const u = new URL(uri);
    const extra = (process.env.ALEXA_REDIRECT_URIS ?? '').split(',').filter(Boolean);
    return (u.protocol === 'https:' && REDIRECT_HOSTS.includes(u.hostname)) || extra.includes(uri);
  } catch {
    return false;
  }
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/app.css"></head>
<body><header><h1>Confidant</h1></header><main><h2>${esc(title)}</h2>${body}</main></body></html>`;

export function voiceRoutes(app: App, ctx: AppContext) {
  const skill = alexaSkill(ctx);
  const verifiers = [new SkillRequestSignatureVerifier(), new TimestampVerifier()];

  // The signature covers the exact bytes Amazon sent: keep them.
  const rawBodies = new WeakMap<object, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    try {
      rawBodies.set(req, body as string);
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError('bad_request', 'the body is not valid JSON', '/body'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post(
    '/v1/voice/alexa',
    {
      bodyLimit: 256 * 1024,
      schema: {
        tags: ['voice'],
        summary: 'Alexa Skills Kit endpoint: the request envelope in, the response envelope out (signed requests only)',
        body: Type.Object(
          {
            version: Type.String(),
            request: Type.Object({ type: Type.String() }, { additionalProperties: true }),
          },
          { additionalProperties: true, description: 'An Alexa Skills Kit request envelope' },
        ),
        response: {
          200: Type.Object({ version: Type.String() }, { additionalProperties: true }),
          401: Type.Unsafe({ $ref: 'Error#', description: 'The request is not signed by Alexa' }),
        },
      },
    },
    async (req) => {
      const raw = rawBodies.get(req) ?? '';
      const json = req.body as unknown as RequestEnvelope;
      if (process.env.ALEXA_VERIFY_SIGNATURES !== '0') {
        try {
          for (const v of verifiers) await v.verify(raw, req.headers);
        } catch (err) {
          throw new AppError('unauthorized', `the request is not signed by Alexa: ${(err as Error).message}`);
        }
      }
      return skill(json);
    },
  );

  const Authorize = Type.Object({
    client_id: Type.Optional(Type.String({ maxLength: 200 })),
    response_type: Type.Optional(Type.String({ maxLength: 20 })),
    state: Type.String({ maxLength: 2000 }),
    redirect_uri: Type.String({ maxLength: 2000 }),
  });

  const authorizePage = {
    schema: { hide: true, querystring: Authorize },
    // Its form's answer redirects to Amazon: the policy lets the form go there, and nowhere else.
    helmet: {
      contentSecurityPolicy: {
        directives: {
          'form-action': ["'self'", ...REDIRECT_HOSTS.map((h) => `https://${h}`)],
          'frame-ancestors': ["'none'"],
          'upgrade-insecure-requests': null,
        },
      },
    },
  };
  app.get('/v1/voice/alexa/authorize', authorizePage, async (req, reply) => {
    const q = req.query;
    if (!redirectAllowed(q.redirect_uri))
      throw new AppError(
        'validation_failed',
        'redirect_uri is not an Alexa account-linking address',
        '/querystring/redirect_uri',
      );
    const token = req.cookies?.[SESSION_COOKIE];
    const person = token ? await personByToken(ctx.db, token, ctx.now()) : null;
    const html = person
      ? page(
          'Let Alexa talk to your Confidant',
          `<p>Alexa will answer as your own Confidant, ${esc(person.displayName ?? person.email ?? '')}: your orders at the shops you linked, and what you tell it. You can take it back on your Confidant page.</p>
<form method="post" action="/v1/voice/alexa/authorize">
${(['state', 'redirect_uri', 'client_id', 'response_type'] as const)
  .map((k) => `<input type="hidden" name="${k}" value="${esc(q[k] ?? '')}">`)
  .join('\n')}
<button type="submit">Allow</button></form>`,
        )
      : page(
          'Sign in first',
          `<p>Sign in on <a href="/">your Confidant page</a> in this browser, then open the link from the Alexa app again.</p>`,
        );
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.post('/v1/voice/alexa/authorize', { schema: { hide: true, body: Authorize } }, async (req, reply) => {
    const b = req.body;
    if (!redirectAllowed(b.redirect_uri))
      throw new AppError(
        'validation_failed',
        'redirect_uri is not an Alexa account-linking address',
        '/body/redirect_uri',
      );
    const session = req.cookies?.[SESSION_COOKIE];
    const person = session ? await personByToken(ctx.db, session, ctx.now()) : null;
    if (!person) throw new AppError('unauthorized', 'sign in on your Confidant page first');
    const token = await issueToken(ctx.db, person.id, 'alexa', 365, ctx.now());
    const fragment = new URLSearchParams({ state: b.state, access_token: token, token_type: 'Bearer' });
    return reply.redirect(`${b.redirect_uri}#${fragment}`, 302);
  });
}
