/**
 * HTTP: brands send and read messages (`POST /v1/messages`, `GET /v1/messages/{id}`, `POST /v1/messages/preview`);
 * a person unsubscribes in one click or by replying "stop", subscribes the browser to web push and sets quiet hours
 * and a preferred channel.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { AppError } from '../errors.js';
import type { Brand } from '../brands/brands.js';
import type { Person } from '../people/people.js';
import { brandFromSecretKey, brandSecurity, shopperFromToken, shopperSecurity } from '../server/auth.js';
import type { App } from '../server/app.js';
import { StringEnum } from '../validation.js';
import { parseHhmm } from './calendar.js';
import { vapidKeys } from './channels/push.js';
import { MESSAGE_CHANNELS, type MessageChannel, PURPOSES, type SendInput } from './decide.js';
import { isFactRef, placeholders } from './guard.js';
import { sendMessage } from './send.js';
import {
  addPushSubscription,
  contactSettings,
  putContactSettings,
  removePushSubscription,
  replySaysStop,
  stopByMessage,
} from './settings.js';
import { messageState, previewMessage } from './state.js';
import { readToken, tokenInAddress } from './tokens.js';

const MessageBody = Type.Object(
  {
    person: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "The brand's pseudonymous id for the person (pid)",
    }),
    purpose: StringEnum(PURPOSES, {
      description:
        'marketing needs the person’s grant; service answers their own question; transactional is about their order',
    }),
    channel: Type.Optional(
      StringEnum(MESSAGE_CHANNELS, {
        description: 'Leave out to let Confidant choose (the person’s preferred channel)',
      }),
    ),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    template: Type.Optional(
      Type.Object(
        {
          subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          variants: Type.Array(Type.String({ minLength: 1, maxLength: 5000 }), {
            minItems: 1,
            maxItems: 10,
            description:
              'In order of preference; {{fact.like:dad}} references a fact; the guard sends the first whose facts may be used',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    data: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number()])),
    ),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    triggeredBy: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);
type MessageBodyT = typeof MessageBody.static;

const Rule = Type.Object({ rule: Type.String(), outcome: Type.String(), reason: Type.String() });
const FactUseSchema = Type.Object({
  ref: Type.String(),
  description: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  explanation: Type.Optional(Type.String()),
});
const Suppressed = Type.Object({ rule: Type.String(), reason: Type.String() });
const Answer = Type.Object({
  id: Type.String(),
  state: Type.String({ description: 'queued, held, suppressed' }),
  channel: Type.Union([Type.String(), Type.Null()]),
  held_until: Type.Optional(Type.String()),
  suppressed: Type.Optional(Suppressed),
  replayed: Type.Optional(Type.Boolean()),
});

async function personOfPid(db: Queryable, brandId: number, pid: string): Promise<string> {
  const r = await db.query({
    name: 'messaging.person_of_pid',
    text: 'SELECT person_id FROM pseudonyms WHERE brand_id = $1 AND pid = $2',
    values: [brandId, pid],
  });
  if (!r.rowCount) throw new AppError('not_found', `no person with id "${pid}" for this brand`, '/body/person');
  return r.rows[0].person_id;
}

function sendInput(req: FastifyRequest, brandId: number, personId: string, b: MessageBodyT): SendInput {
  if ((b.text === undefined) === (b.template === undefined))
    throw new AppError(
      'validation_failed',
      'give either text or template',
      b.text === undefined ? '/body' : '/body/template',
    );
  if (b.template && b.subject !== undefined)
    throw new AppError('validation_failed', 'with a template, the subject goes in the template', '/body/subject');
  const header = req.headers['idempotency-key'];
  if (Array.isArray(header)) throw new AppError('validation_failed', 'one Idempotency-Key', '/headers/idempotency-key');
  if (header !== undefined && (header.length === 0 || header.length > 255))
    throw new AppError('validation_failed', 'the Idempotency-Key is 1 to 255 characters', '/headers/idempotency-key');
  if (header !== undefined && b.idempotencyKey !== undefined && header !== b.idempotencyKey)
    throw new AppError(
      'validation_failed',
      'the Idempotency-Key header and idempotencyKey differ',
      '/body/idempotencyKey',
    );
  const texts: Array<[string, string]> = b.template
    ? [
        ...b.template.variants.map((v, i) => [v, `/body/template/variants/${i}`] as [string, string]),
        [b.template.subject ?? '', '/body/template/subject'],
      ]
    : [
        [b.text ?? '', '/body/text'],
        [b.subject ?? '', '/body/subject'],
      ];
  for (const [t, path] of texts)
    for (const p of placeholders(t))
      if (!isFactRef(p) && !(b.data && p in b.data))
        throw new AppError(
          'validation_failed',
          `{{${p}}} is neither a fact ({{fact.kind}} or {{fact.kind:about}}) nor in data`,
          path,
        );
  return {
    brandId,
    personId,
    purpose: b.purpose,
    channel: b.channel,
    text: b.text,
    subject: b.subject,
    template: b.template,
    data: b.data,
    idempotencyKey: header ?? b.idempotencyKey,
    triggeredBy: b.triggeredBy,
  };
}

const unsubscribePage = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">${body}</body></html>`;

export function messagingRoutes(app: App, ctx: AppContext) {
  // The brand's key is checked before the body is parsed or validated.
  const brands = new WeakMap<FastifyRequest, Brand>();
  const brandAuth = async (req: FastifyRequest) => void brands.set(req, await brandFromSecretKey(ctx, req));
  const brandOf = (req: FastifyRequest) => brands.get(req)!;
  const shoppers = new WeakMap<FastifyRequest, Person>();
  const shopperAuth = async (req: FastifyRequest) => void shoppers.set(req, await shopperFromToken(ctx, req));
  const shopperOf = (req: FastifyRequest) => shoppers.get(req)!;
  app.post(
    '/v1/messages',
    {
      onRequest: brandAuth,
      schema: {
        tags: ['messages'],
        summary:
          'Send a message to a person through the rules (consent, opt-outs, quiet hours, caps, the guard); 202 with its id',
        security: brandSecurity,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: MessageBody,
        response: {
          202: Answer,
        },
      },
    },
    async (req, reply) => {
      const brand = brandOf(req);
      const personId = await personOfPid(ctx.db, brand.id, req.body.person);
      const answer = await sendMessage(ctx.db, sendInput(req, brand.id, personId, req.body as MessageBodyT), ctx.now());
      return reply.status(202).send(answer);
    },
  );

  app.post(
    '/v1/messages/preview',
    {
      onRequest: brandAuth,
      schema: {
        tags: ['messages'],
        summary: 'What a send would do now, without sending: the text, the facts kept and removed with why, every rule',
        security: brandSecurity,
        body: MessageBody,
        response: {
          200: Type.Object({
            text: Type.Union([Type.String(), Type.Null()]),
            subject: Type.Union([Type.String(), Type.Null()]),
            kept_facts: Type.Array(FactUseSchema),
            removed_facts: Type.Array(FactUseSchema),
            decision: Type.Object({
              state: Type.String(),
              channel: Type.Union([Type.String(), Type.Null()]),
              suppressed: Type.Union([Suppressed, Type.Null()]),
              held_until: Type.Union([Type.String(), Type.Null()]),
              rules: Type.Array(Rule),
            }),
          }),
        },
      },
    },
    async (req) => {
      const brand = brandOf(req);
      const personId = await personOfPid(ctx.db, brand.id, req.body.person);
      return previewMessage(ctx.db, sendInput(req, brand.id, personId, req.body as MessageBodyT), ctx.now());
    },
  );

  app.get(
    '/v1/messages/:id',
    {
      onRequest: brandAuth,
      schema: {
        tags: ['messages'],
        summary:
          'A message’s state: queued, held (until), sent (provider id), suppressed (rule, reason), failed (attempts), dead',
        security: brandSecurity,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            id: Type.String(),
            state: Type.String(),
            purpose: Type.String(),
            channel: Type.Union([Type.String(), Type.Null()]),
            created_at: Type.String(),
            held_until: Type.Optional(Type.String()),
            sent_at: Type.Optional(Type.String()),
            provider_id: Type.Optional(Type.String()),
            suppressed: Type.Optional(Suppressed),
            attempts: Type.Integer(),
            last_error: Type.Optional(Type.String()),
            cap_exempt: Type.Boolean(),
            decisions: Type.Array(Rule),
            kept_facts: Type.Array(FactUseSchema),
            removed_facts: Type.Array(FactUseSchema),
          }),
        },
      },
    },
    async (req) => {
      const brand = brandOf(req);
      const m = await messageState(ctx.db, brand.id, req.params.id);
      if (!m) throw new AppError('not_found', 'no such message for this brand', '/params/id');
      return m;
    },
  );

  const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
  app.get(
    '/v1/unsubscribe/:token',
    {
      schema: {
        tags: ['messages'],
        summary: 'The unsubscribe page an e-mail links to (a button that confirms)',
        params: Token,
      },
    },
    async (req, reply) => {
      const ok = readToken(ctx.secret, req.params.token) !== null;
      reply.type('text/html; charset=utf-8');
      if (!ok) return reply.status(404).send(unsubscribePage('Link not valid', '<h1>This link is not valid</h1>'));
      return unsubscribePage(
        'Unsubscribe',
        `<h1>Unsubscribe?</h1><p>No more e-mails from this shop through Confidant.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      );
    },
  );

  // RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" as a form.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.post(
    '/v1/unsubscribe/:token',
    { schema: { tags: ['messages'], summary: 'One-click unsubscribe (RFC 8058)', params: Token } },
    async (req, reply) => {
      const messageId = readToken(ctx.secret, req.params.token);
      const done = messageId ? await stopByMessage(ctx.db, messageId, 'link', ctx.now()) : null;
      reply.type('text/html; charset=utf-8');
      if (!done) return reply.status(404).send(unsubscribePage('Link not valid', '<h1>This link is not valid</h1>'));
      return unsubscribePage(
        'Unsubscribed',
        `<h1>Done</h1><p>No more e-mails from ${done.brandName.replace(/[<>&"]/g, '')} through Confidant.</p>`,
      );
    },
  );

  app.post(
    '/v1/inbound/email',
    {
      schema: {
        tags: ['messages'],
        summary:
          'A reply to a message (from the inbound mail provider): a reply saying "stop" opts out of that brand’s e-mail',
        body: Type.Object({
          to: Type.String({ minLength: 1, maxLength: 500 }),
          from: Type.Optional(Type.String({ maxLength: 500 })),
          subject: Type.Optional(Type.String({ maxLength: 1000 })),
          text: Type.String({ maxLength: 100_000 }),
        }),
        response: {
          200: Type.Object({ action: StringEnum(['opted_out', 'ignored'] as const) }),
        },
      },
    },
    async (req) => {
      const token = tokenInAddress(req.body.to);
      const messageId = token ? readToken(ctx.secret, token) : null;
      if (!messageId) throw new AppError('not_found', 'this reply is not to one of our messages', '/body/to');
      if (!replySaysStop(`${req.body.text}`)) return { action: 'ignored' as const };
      const done = await stopByMessage(ctx.db, messageId, 'reply', ctx.now());
      if (!done) throw new AppError('not_found', 'the message is gone', '/body/to');
      return { action: 'opted_out' as const };
    },
  );

  app.get(
    '/v1/push/key',
    {
      schema: {
        tags: ['me'],
        summary: 'The server’s VAPID public key, for PushManager.subscribe',
        response: { 200: Type.Object({ publicKey: Type.String() }) },
      },
    },
    async () => ({ publicKey: (await vapidKeys(ctx.db)).publicKey }),
  );

  const Subscription = Type.Object({
    endpoint: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '^(https://[^/\\s]+/|http://(127\\.0\\.0\\.1|localhost)[:/])',
      description: 'The push service URL (https)',
    }),
    keys: Type.Object({
      p256dh: Type.String({ minLength: 1, maxLength: 200 }),
      auth: Type.String({ minLength: 1, maxLength: 100 }),
    }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  });
  app.post(
    '/v1/me/push-subscriptions',
    {
      onRequest: shopperAuth,
      schema: {
        tags: ['me'],
        summary: 'Keep this browser’s push subscription (PushSubscription.toJSON())',
        security: shopperSecurity,
        body: Subscription,
        response: { 201: Type.Object({ subscribed: Type.Boolean() }) },
      },
    },
    async (req, reply) => {
      const person = shopperOf(req);
      if (
        !/^https:\/\/[^/\s]+\//.test(req.body.endpoint) &&
        !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(req.body.endpoint)
      )
        throw new AppError('validation_failed', 'the endpoint is the https URL of a push service', '/body/endpoint');
      await addPushSubscription(ctx.db, person.id, { endpoint: req.body.endpoint, ...req.body.keys }, ctx.now());
      return reply.status(201).send({ subscribed: true });
    },
  );
  app.delete(
    '/v1/me/push-subscriptions',
    {
      onRequest: shopperAuth,
      schema: {
        tags: ['me'],
        summary: 'Forget a browser’s push subscription',
        security: shopperSecurity,
        body: Type.Object({ endpoint: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: Type.Object({ removed: Type.Boolean() }) },
      },
    },
    async (req) => {
      const person = shopperOf(req);
      return { removed: await removePushSubscription(ctx.db, person.id, req.body.endpoint) };
    },
  );

  const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM in my time zone' });
  const Settings = Type.Object({
    quiet_hours: Type.Object({ start: Type.String(), end: Type.String() }),
    preferred_channel: Type.Union([StringEnum(MESSAGE_CHANNELS), Type.Null()]),
  });
  app.get(
    '/v1/me/contact-settings',
    {
      onRequest: shopperAuth,
      schema: {
        tags: ['me'],
        summary: 'My quiet hours (in my time zone) and preferred channel',
        security: shopperSecurity,
        response: { 200: Settings },
      },
    },
    async (req) => contactSettings(ctx.db, shopperOf(req).id),
  );
  app.put(
    '/v1/me/contact-settings',
    {
      onRequest: shopperAuth,
      schema: {
        tags: ['me'],
        summary: 'Change my quiet hours ("HH:MM" in my time zone; equal start and end: none) or preferred channel',
        security: shopperSecurity,
        body: Type.Object(
          {
            quiet_hours: Type.Optional(Type.Object({ start: HHMM, end: HHMM }, { additionalProperties: false })),
            preferred_channel: Type.Optional(Type.Union([StringEnum(MESSAGE_CHANNELS), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Settings },
      },
    },
    async (req) => {
      const person = shopperOf(req);
      const q = req.body.quiet_hours;
      const start = q ? parseHhmm(q.start) : null;
      const end = q ? parseHhmm(q.end) : null;
      if (q && start === null)
        throw new AppError('validation_failed', 'start is HH:MM (00:00 to 23:59)', '/body/quiet_hours/start');
      if (q && end === null)
        throw new AppError('validation_failed', 'end is HH:MM (00:00 to 23:59)', '/body/quiet_hours/end');
      await putContactSettings(
        ctx.db,
        person.id,
        {
          quietStart: start ?? undefined,
          quietEnd: end ?? undefined,
          preferred: req.body.preferred_channel as MessageChannel | null | undefined,
        },
        ctx.now(),
      );
      return contactSettings(ctx.db, person.id);
    },
  );
}
