import { Type } from '@sinclair/typebox';
import type { App } from '../server/app.js';
import type { AppContext } from '../context.js';
import { brandFromWriteKey, writeKeySecurity } from '../server/auth.js';
import { inTransaction } from '../db/pool.js';
import {
  BATCH_MAX_BYTES,
  BatchBody,
  EVENT_MAX_BYTES,
  IdentifyBody,
  PageBody,
  type SegmentType,
  TrackBody,
  checkMessage,
  storeMessages,
  storeOneMessage,
} from './segment.js';
import { acceptClientBodies } from './wire.js';

/** JSON under any label (gzip or deflate with Content-Encoding): what SDKs, browsers and beacons send. */
const CONSUMES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', '*/*'];
const Received = Type.Object({ received: Type.Integer(), duplicates: Type.Integer() });

export async function ingestRoutes(app: App, ctx: AppContext) {
  await acceptClientBodies(app);
  const single = (type: SegmentType, body: typeof IdentifyBody | typeof TrackBody | typeof PageBody, summary: string) =>
    app.post(
      `/v1/${type}`,
      {
        bodyLimit: EVENT_MAX_BYTES,
        schema: {
          tags: ['tracking'],
          summary,
          security: writeKeySecurity,
          consumes: CONSUMES,
          body,
          response: { 200: Received },
        },
      },
      async (req) => {
        const brand = await brandFromWriteKey(ctx, req);
        const msg = checkMessage(req.body as Record<string, unknown>, type, '/body');
        const stored = await storeOneMessage(ctx.db, { brandId: brand.id, message: msg, receivedAt: ctx.now() });
        return { received: 1, duplicates: stored ? 0 : 1 };
      },
    );
  single('identify', IdentifyBody, 'Segment identify: who the customer is, with traits');
  single('track', TrackBody, 'Segment track: an event with properties (e-commerce v2 names)');
  single('page', PageBody, 'Segment page: a page view');

  app.post(
    '/v1/batch',
    {
      bodyLimit: BATCH_MAX_BYTES,
      schema: {
        tags: ['tracking'],
        summary: 'Segment batch: up to 500 KB of identify, track and page calls',
        security: writeKeySecurity,
        consumes: CONSUMES,
        body: BatchBody,
        response: { 200: Received },
      },
    },
    async (req) => {
      const brand = await brandFromWriteKey(ctx, req);
      const body = req.body as { batch: Array<Record<string, unknown>>; context?: Record<string, unknown> };
      const messages = body.batch.map((m, i) => {
        const merged = body.context && !m.context ? { ...m, context: body.context } : m;
        return checkMessage(merged, m.type as SegmentType, `/body/batch/${i}`);
      });
      const r = await inTransaction(ctx.db, (tx) =>
        storeMessages(tx, brand.id, messages, ctx.now(), (i) => `/body/batch/${i}`),
      );
      return { received: r.received, duplicates: r.duplicates };
    },
  );
}
