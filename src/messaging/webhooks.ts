/**
 * Signed webhooks to brands (moved here from the gatekeeper, which queues erasure notices with it; a message on the
 * webhook channel goes out by channels/webhook.ts with the same signing) (Standard Webhooks: https://www.standardwebhooks.com). Each brand has its own secret
 * `whsec_<base64>`; a delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 of
 * HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`. Deliveries are durable jobs, retried with backoff; the id stays
 * the same across retries so the brand can drop duplicates.
 */
import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { setWebhook as storeWebhook } from '../brands/index.js';
import { addJob, defineJob } from '../jobs/jobs.js';
import { checkWebhookUrl, safePost } from '../outbound.js';

const TIMEOUT_MS = 10_000;

export const newWebhookSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Sets (or clears, with null) the brand's webhook URL; makes a secret on first use or when asked to rotate it. */
export async function setWebhook(
  db: Queryable,
  brandId: number,
  url: string | null,
  rotateSecret: boolean,
): Promise<{ url: string | null; secret: string | null }> {
  if (url !== null) await checkWebhookUrl(url, '/body/url');
  const set = await storeWebhook(db, brandId, url, rotateSecret, newWebhookSecret());
  return { url: set.url, secret: url === null ? null : set.secret };
}

export interface WebhookJob {
  brand_id: number;
  webhook_id: string;
  /** The JSON body, exactly as signed and sent. */
  body: string;
}

/** Queues a webhook to a brand with the caller's connection (inside its transaction, it commits with it). */
export async function queueWebhook(
  tx: Queryable,
  brandId: number,
  webhookId: string,
  payload: { type: string; timestamp: string; data: unknown },
) {
  const job: WebhookJob = { brand_id: brandId, webhook_id: webhookId, body: JSON.stringify(payload) };
  await addJob(tx, webhookJob, job, { jobKey: webhookId, maxAttempts: 15 });
}

/** One delivery attempt; a failure throws, and the job runner tries again later (exponential backoff). */
export async function deliverWebhook(ctx: Pick<AppContext, 'db' | 'now' | 'log'>, job: WebhookJob): Promise<void> {
  const r = await ctx.db.query('SELECT webhook_url, webhook_secret FROM brands WHERE id = $1', [job.brand_id]);
  const brand = r.rows[0] as { webhook_url: string | null; webhook_secret: string | null } | undefined;
  if (!brand?.webhook_url || !brand.webhook_secret) {
    // The brand has no webhook (any more): there is nowhere to deliver, and retrying would not change that.
    ctx.log.warn({ brandId: job.brand_id, webhookId: job.webhook_id }, 'webhook dropped: the brand has no webhook URL');
    return;
  }
  const timestamp = Math.floor(ctx.now().getTime() / 1000);
  const res = await safePost(
    brand.webhook_url,
    job.body,
    {
      'content-type': 'application/json',
      'user-agent': 'Confidant-Webhooks/1',
      'webhook-id': job.webhook_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(brand.webhook_secret, job.webhook_id, timestamp, job.body),
    },
    { timeoutMs: TIMEOUT_MS },
  );
  if (res.status < 200 || res.status >= 300)
    throw new Error(`webhook ${job.webhook_id} to brand ${job.brand_id}: HTTP ${res.status}`);
}

/** One delivery of a signed webhook, retried with backoff until the brand answers 2xx. */
export const webhookJob = defineJob<WebhookJob>('gatekeeper.webhook', (ctx, payload) =>
  deliverWebhook(ctx, payload as WebhookJob),
);
