/** Campaigns and triggers over HTTP, for a brand's server (secret key). */
import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable } from '../db/pool.js';
import { AppError, notFound } from '../errors.js';
import { brandFromSecretKey, brandSecurity } from '../server/auth.js';
import { DateTime } from '../http-schemas.js';
import { MESSAGE_CHANNELS, type MessageChannel, previewMessage } from '../messaging/index.js';
import { StringEnum } from '../validation.js';
import { type Campaign, campaignOf, campaignsOf, type Counts, countsOf, createCampaign } from './campaigns.js';
import { prepareQueue, runQueue, scheduleCampaign, startTriggerTicks } from './schedule.js';
import { matchSegment, type Segment, SegmentSchema } from './segment.js';
import { TRIGGERS, type TriggerName } from './triggers/kinds.js';
import { setTriggers, triggerSettings } from './triggers/settings.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const Variant = Type.String({ minLength: 1, maxLength: 2000 });
const TemplateSchema = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    variants: Type.Array(Variant, {
      minItems: 1,
      maxItems: 5,
      description:
        'In order of preference; facts as {{fact.like:dad}} ({{fact.kind:about}}). The guard sends the first variant whose facts the person allows',
    }),
  },
  { additionalProperties: false },
);
const CountsSchema = Type.Object({
  recipients: Type.Integer(),
  sent: Type.Integer({ description: 'accepted to go out now' }),
  held: Type.Integer({ description: 'held for quiet hours, sent when they end' }),
  suppressed: Type.Record(Type.String(), Type.Integer(), { description: 'not sent, by the rule that stopped it' }),
});
const CampaignSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  channel: Type.Union([Type.String(), Type.Null()]),
  template: TemplateSchema,
  segment: SegmentSchema,
  send_at: DateTime,
  state: StringEnum(['scheduled', 'sending', 'sent', 'cancelled'] as const),
  created_at: DateTime,
  finished_at: Type.Union([DateTime, Type.Null()]),
  counts: CountsSchema,
});
const FactUseSchema = Type.Object({
  ref: Type.String(),
  fact_id: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  explanation: Type.Optional(Type.String()),
});
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const TriggersSchema = Type.Object(
  Object.fromEntries(TRIGGERS.map((t) => [t, Type.Boolean()])) as Record<TriggerName, ReturnType<typeof Type.Boolean>>,
);

const out = (c: Campaign, counts: Counts) => ({
  id: c.id,
  name: c.name,
  purpose: c.purpose,
  channel: c.channel,
  template: c.template,
  segment: c.segment,
  send_at: c.sendAt,
  state: c.state,
  created_at: c.createdAt,
  finished_at: c.finishedAt,
  counts,
});

function campaignId(id: string): string {
  if (!UUID.test(id)) throw notFound(`campaign ${id}`);
  return id.toLowerCase();
}

async function personOfPid(db: Queryable, brandId: number, pid: string): Promise<string> {
  const r = await db.query('SELECT person_id FROM pseudonyms WHERE brand_id = $1 AND pid = $2', [brandId, pid]);
  if (!r.rowCount) throw new AppError('not_found', `no person with id "${pid}" for this brand`, '/body/person');
  return r.rows[0].person_id;
}

export function campaignRoutes(app: App, ctx: AppContext) {
  app.post(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Send one template to a segment, now or at `send_at`',
        security: brandSecurity,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            purpose: Type.Optional(
              StringEnum(['marketing', 'service'] as const, { description: 'marketing (default)' }),
            ),
            channel: Type.Optional(
              StringEnum(MESSAGE_CHANNELS, { description: "Leave out for the person's preferred one" }),
            ),
            template: TemplateSchema,
            segment: SegmentSchema,
            send_at: Type.Optional(Type.String({ format: 'date-time', description: 'Now when left out' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CampaignSchema },
      },
    },
    async (req, reply) => {
      const brand = await brandFromSecretKey(ctx, req);
      const b = req.body as {
        name: string;
        purpose?: 'marketing' | 'service';
        channel?: MessageChannel;
        template: Campaign['template'];
        segment: Segment;
        send_at?: string;
      };
      const now = ctx.now();
      const sendAt = b.send_at ? new Date(b.send_at) : now;
      await prepareQueue(ctx);
      const c = await inTransaction(ctx.db, async (tx) => {
        const created = await createCampaign(
          tx,
          brand.id,
          {
            name: b.name,
            purpose: b.purpose ?? 'marketing',
            channel: b.channel ?? null,
            template: b.template,
            segment: b.segment,
            sendAt,
          },
          now,
        );
        await scheduleCampaign(tx, brand.id, created.id, sendAt);
        return created;
      });
      runQueue(ctx);
      reply.status(201);
      return out(c, { recipients: 0, sent: 0, held: 0, suppressed: {} });
    },
  );

  app.get(
    '/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Every campaign of the brand, newest first, with what became of its sends',
        security: brandSecurity,
        response: { 200: Type.Object({ campaigns: Type.Array(CampaignSchema) }) },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const all = await campaignsOf(ctx.db, brand.id);
      const counts = await countsOf(
        ctx.db,
        all.map((c) => c.id),
      );
      return { campaigns: all.map((c) => out(c, counts.get(c.id)!)) };
    },
  );

  app.get(
    '/v1/campaigns/:id',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'A campaign with its counts: sent, held, suppressed by rule',
        security: brandSecurity,
        params: Id,
        response: { 200: CampaignSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const c = await campaignOf(ctx.db, brand.id, campaignId(req.params.id));
      return out(c, (await countsOf(ctx.db, [c.id])).get(c.id)!);
    },
  );

  app.post(
    '/v1/campaigns/:id/preview',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'The campaign for one customer: whether the segment selects them, and the message with what the guard kept and removed',
        security: brandSecurity,
        params: Id,
        body: Type.Object(
          { person: Type.String({ minLength: 1, maxLength: 100, description: "The brand's pseudonymous id (pid)" }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            in_segment: Type.Boolean(),
            matched: Type.Array(Type.String()),
            missed: Type.Array(Type.String()),
            text: Type.Union([Type.String(), Type.Null()]),
            subject: Type.Union([Type.String(), Type.Null()]),
            kept_facts: Type.Array(FactUseSchema),
            removed_facts: Type.Array(FactUseSchema),
            decision: Type.Object({
              state: Type.String(),
              channel: Type.Union([Type.String(), Type.Null()]),
              suppressed: Type.Union([Type.Object({ rule: Type.String(), reason: Type.String() }), Type.Null()]),
              rules: Type.Array(Type.Object({ rule: Type.String(), outcome: Type.String(), reason: Type.String() })),
              held_until: Type.Union([Type.String(), Type.Null()]),
            }),
          }),
        },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const c = await campaignOf(ctx.db, brand.id, campaignId(req.params.id));
      const personId = await personOfPid(ctx.db, brand.id, (req.body as { person: string }).person);
      const now = ctx.now();
      const match = await matchSegment(ctx, brand.id, personId, c.segment, c.purpose, now);
      const preview = await previewMessage(
        ctx.db,
        {
          brandId: brand.id,
          personId,
          purpose: c.purpose,
          ...(c.channel ? { channel: c.channel } : {}),
          template: { ...(c.template.subject ? { subject: c.template.subject } : {}), variants: c.template.variants },
          data: {},
        },
        now,
      );
      return { ...match, ...preview };
    },
  );

  app.get(
    '/v1/brand/triggers',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Which triggers are on (all are off until the brand switches them on)',
        security: brandSecurity,
        response: { 200: TriggersSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      return triggerSettings(ctx.db, brand.id);
    },
  );

  app.put(
    '/v1/brand/triggers',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          'Switch triggers on or off: order shipped or delayed, back in stock, price drop, an upcoming birthday, an abandoned cart',
        security: brandSecurity,
        body: Type.Partial(TriggersSchema, { additionalProperties: false, minProperties: 1 }),
        response: { 200: TriggersSchema },
      },
    },
    async (req) => {
      const brand = await brandFromSecretKey(ctx, req);
      const settings = await setTriggers(
        ctx.db,
        brand.id,
        req.body as Partial<Record<TriggerName, boolean>>,
        ctx.now(),
      );
      if (Object.values(settings).some(Boolean)) await startTriggerTicks(ctx);
      return settings;
    },
  );
}
