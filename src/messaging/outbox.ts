/**
 * The outbox runner. Messages due (queued, held whose time came, failed whose retry came, or sending whose lease ran
 * out because a process died mid-send) are claimed in batches with SKIP LOCKED, so any number of processes share the
 * work. A claim is committed before the provider is called; the send is then recorded with the provider's id. A
 * process that dies between the two leaves a lease that runs out, and the message is offered again with the same
 * ids (Message-ID, webhook-id, push topic), which the receiving side keeps once. Chat is delivered in the same
 * transaction that records it, so exactly once. Failures are retried with exponential backoff, then marked dead.
 */
import type { AppContext } from '../context.js';
import { inTransaction } from '../db/pool.js';
import { postToThread } from '../conversation/index.js';
import { sendMessageMail } from './channels/email.js';
import { type PushSubscription, SubscriptionGone, sendPush, vapidKeys } from './channels/push.js';
import { postMessageHook } from './channels/webhook.js';
import { outboxBell } from './send.js';
import { messageToken, replyAddress, unsubscribeUrl } from './tokens.js';

export const MAX_ATTEMPTS = Number(process.env.MESSAGING_MAX_ATTEMPTS ?? 8);
const leaseMs = () => Number(process.env.MESSAGING_LEASE_MS ?? 30_000);
/** Who the push services may contact about our pushes: https or mailto only (RFC 8292). */
const vapidSubject = (publicUrl: string) =>
  process.env.VAPID_SUBJECT ??
  (publicUrl.startsWith('https:')
    ? publicUrl
    : `mailto:${/<([^>]+)>/.exec(process.env.MAIL_FROM ?? '')?.[1] ?? 'no-reply@confidant.local'}`);
const retryBaseMs = () => Number(process.env.MESSAGING_RETRY_BASE_MS ?? 1000);

interface Claimed {
  person_id: string;
  message_id: string;
  brand_id: number;
  purpose: string;
  channel: 'chat' | 'email' | 'push' | 'webhook';
  subject: string | null;
  text: string;
  attempts: number;
  triggered_by: string | null;
  block: string | null;
  email: string | null;
  brand_name: string;
  brand_slug: string;
  webhook_url: string | null;
  webhook_secret: string | null;
  pid: string | null;
  pushes: PushSubscription[];
}

const CLAIM = `WITH due AS (
    SELECT person_id, message_id FROM messages
    WHERE state IN ('queued', 'held', 'failed', 'sending') AND due_at <= $1
    ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE messages m SET state = 'sending', attempts = m.attempts + 1, lease_until = $3, due_at = $3
  FROM due WHERE m.person_id = due.person_id AND m.message_id = due.message_id
  RETURNING m.person_id, m.message_id, m.brand_id, m.purpose, m.channel, m.subject, m.text, m.attempts, m.triggered_by,
    (SELECT CASE WHEN bool_or(cp.opted_out_at IS NOT NULL) THEN 'opted_out'
                 WHEN m.purpose = 'marketing' AND bool_or(cp.paused_for_abuse_at IS NOT NULL) THEN 'paused_for_abuse' END
       FROM contact_preferences cp WHERE cp.person_id = m.person_id AND cp.brand_id IN (0, m.brand_id)
         AND cp.channel IN ('all', CASE m.channel WHEN 'webhook' THEN 'sms' ELSE m.channel END)) AS block,
    (SELECT p.email FROM persons p WHERE p.id = m.person_id) AS email,
    (SELECT b.name FROM brands b WHERE b.id = m.brand_id) AS brand_name,
    (SELECT b.slug FROM brands b WHERE b.id = m.brand_id) AS brand_slug,
    (SELECT b.webhook_url FROM brands b WHERE b.id = m.brand_id) AS webhook_url,
    (SELECT b.webhook_secret FROM brands b WHERE b.id = m.brand_id) AS webhook_secret,
    (SELECT ps.pid FROM pseudonyms ps WHERE ps.person_id = m.person_id AND ps.brand_id = m.brand_id) AS pid,
    CASE WHEN m.channel = 'push' THEN (SELECT coalesce(json_agg(json_build_object('endpoint', s.endpoint, 'p256dh', s.p256dh, 'auth', s.auth)), '[]')
       FROM push_subscriptions s WHERE s.person_id = m.person_id) ELSE '[]' END AS pushes`;

const MARK_SENT = `UPDATE messages SET state = 'sent', provider_id = $4, sent_at = $5, due_at = NULL, lease_until = NULL, last_error = NULL
  WHERE person_id = $1 AND message_id = $2 AND state = 'sending' AND attempts = $3`;

async function markSent(ctx: AppContext, m: Claimed, providerId: string) {
  await ctx.db.query({
    name: 'messaging.mark_sent',
    text: MARK_SENT,
    values: [m.person_id, m.message_id, m.attempts, providerId, ctx.now()],
  });
}

async function markFailed(ctx: AppContext, m: Claimed, err: unknown, permanent = false) {
  const now = ctx.now();
  const dead = permanent || m.attempts >= MAX_ATTEMPTS;
  const wait = retryBaseMs() * 2 ** Math.min(m.attempts - 1, 12);
  const message = String((err as Error)?.message ?? err).slice(0, 500);
  await ctx.db.query({
    name: 'messaging.mark_failed',
    text: `UPDATE messages SET state = $4, due_at = $5, lease_until = NULL, last_error = $6,
        suppressed_rule = CASE WHEN $4 = 'dead' THEN 'delivery' END,
        suppressed_reason = CASE WHEN $4 = 'dead' THEN $6 END
      WHERE person_id = $1 AND message_id = $2 AND state = 'sending' AND attempts = $3`,
    values: [
      m.person_id,
      m.message_id,
      m.attempts,
      dead ? 'dead' : 'failed',
      dead ? null : new Date(now.getTime() + wait),
      message,
    ],
  });
}

async function markBlocked(ctx: AppContext, m: Claimed) {
  const reason =
    m.block === 'opted_out'
      ? 'the person said stop before it went out'
      : 'marketing was paused (the person was upset) before it went out';
  await ctx.db.query(
    `UPDATE messages SET state = 'suppressed', due_at = NULL, lease_until = NULL, suppressed_rule = 'opt_out', suppressed_reason = $3,
       decisions = decisions || $4::jsonb WHERE person_id = $1 AND message_id = $2 AND state = 'sending'`,
    [
      m.person_id,
      m.message_id,
      reason,
      JSON.stringify([{ rule: 'opt_out', outcome: 'suppress', reason: `at delivery: ${reason}` }]),
    ],
  );
}

async function deliverOne(ctx: AppContext, m: Claimed): Promise<void> {
  if (m.block) return markBlocked(ctx, m);
  const now = ctx.now();
  try {
    switch (m.channel) {
      case 'chat':
        await inTransaction(ctx.db, async (tx) => {
          const r = await tx.query(
            `SELECT 1 FROM messages WHERE person_id = $1 AND message_id = $2 AND state = 'sending' AND attempts = $3 FOR UPDATE`,
            [m.person_id, m.message_id, m.attempts],
          );
          if (!r.rowCount) return; // another process took it over
          const threadId = await postToThread(tx, {
            personId: m.person_id,
            brandId: m.brand_id,
            text: m.text,
            at: now,
          });
          await tx.query(MARK_SENT, [m.person_id, m.message_id, m.attempts, `chat:${threadId}`, now]);
        });
        return;
      case 'email': {
        if (!m.email) return markFailed(ctx, m, new Error('the person has no e-mail address'), true);
        const token = messageToken(ctx.secret, m.message_id);
        const id = await sendMessageMail(ctx, {
          to: m.email,
          fromName: m.brand_name,
          subject: m.subject ?? `A message from ${m.brand_name}`,
          text: m.text,
          messageId: m.message_id,
          unsubscribeUrl: m.purpose === 'marketing' ? unsubscribeUrl(ctx.publicUrl, token) : null,
          replyTo: replyAddress(token),
        });
        return markSent(ctx, m, id);
      }
      case 'webhook': {
        if (!m.webhook_url || !m.webhook_secret)
          return markFailed(ctx, m, new Error('the brand has no webhook URL'), true);
        const id = await postMessageHook({
          url: m.webhook_url,
          secret: m.webhook_secret,
          messageId: m.message_id,
          at: now,
          payload: {
            type: 'message.send',
            timestamp: now.toISOString(),
            data: { message_id: m.message_id, person: m.pid, purpose: m.purpose, subject: m.subject, text: m.text },
          },
        });
        return markSent(ctx, m, id);
      }
      case 'push': {
        if (m.pushes.length === 0) return markFailed(ctx, m, new Error('the person has no push subscription'), true);
        const keys = await vapidKeys(ctx.db);
        const ids: string[] = [];
        for (const sub of m.pushes) {
          try {
            ids.push(
              await sendPush(
                keys,
                vapidSubject(ctx.publicUrl),
                sub,
                { title: m.subject ?? m.brand_name, body: m.text, brand: m.brand_slug, message_id: m.message_id },
                m.message_id.replace(/-/g, ''),
              ),
            );
          } catch (err) {
            if (!(err instanceof SubscriptionGone)) throw err;
            await ctx.db.query('DELETE FROM push_subscriptions WHERE person_id = $1 AND endpoint = $2', [
              m.person_id,
              sub.endpoint,
            ]);
          }
        }
        if (ids.length === 0) return markFailed(ctx, m, new Error('every push subscription is gone'), true);
        return markSent(ctx, m, ids.join(' '));
      }
    }
  } catch (err) {
    ctx.log.warn({ err, messageId: m.message_id, attempts: m.attempts }, 'a message could not be delivered');
    await markFailed(ctx, m, err);
  }
}

/** Claims up to `limit` due messages and delivers them, `concurrency` at a time. Answers how many it claimed. */
export async function deliverDue(
  ctx: AppContext,
  opts: { limit?: number; concurrency?: number } = {},
): Promise<number> {
  const now = ctx.now();
  const r = await ctx.db.query({
    name: 'messaging.claim',
    text: CLAIM,
    values: [now, opts.limit ?? 64, new Date(now.getTime() + leaseMs())],
  });
  const claimed = r.rows as Claimed[];
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) await deliverOne(ctx, claimed[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, claimed.length) }, worker));
  return claimed.length;
}

/** Runs the outbox until stopped: at once when this process queues a message, else every `pollMs`. */
export function startOutbox(
  ctx: AppContext,
  opts: { pollMs?: number; limit?: number; concurrency?: number } = {},
): { stop(): Promise<void> } {
  let stopping = false;
  let wake: (() => void) | null = null;
  const ring = () => wake?.();
  outboxBell.on('due', ring);
  const loop = (async () => {
    while (!stopping) {
      let n = 0;
      try {
        n = await deliverDue(ctx, opts);
      } catch (err) {
        if (!stopping) ctx.log.error({ err }, 'the outbox runner failed a round; trying again');
      }
      if (n === 0 && !stopping)
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, opts.pollMs ?? 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      wake = null;
    }
  })();
  return {
    async stop() {
      stopping = true;
      outboxBell.off('due', ring);
      ring();
      await loop;
    },
  };
}
