/**
 * Web push (RFC 8030/8291/8292) with `web-push`: the payload is encrypted (aes128gcm) for the browser's keys and the
 * request carries a VAPID signature. The server's VAPID key pair is made at first start and kept in the database, so
 * every process and every restart signs with the same key the browsers subscribed with. The request goes out through
 * the SSRF-safe agent (src/outbound.ts): a push endpoint comes from a browser, so it may point anywhere.
 */
import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import type { Queryable } from '../../db/pool.js';
import { safeAgent } from '../../outbound.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const kept = new WeakMap<object, Promise<VapidKeys>>();

/** The server's VAPID keys, made on first use (one row; concurrent first uses agree on the one inserted). */
export function vapidKeys(db: Queryable): Promise<VapidKeys> {
  let p = kept.get(db);
  if (!p) {
    p = (async () => {
      const fresh = webpush.generateVAPIDKeys();
      await db.query(
        `INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES (1, $1, $2, now()) ON CONFLICT (id) DO NOTHING`,
        [fresh.publicKey, fresh.privateKey],
      );
      const r = await db.query(
        'SELECT public_key AS "publicKey", private_key AS "privateKey" FROM vapid_keys WHERE id = 1',
      );
      return r.rows[0] as VapidKeys;
    })();
    p.catch(() => kept.delete(db));
    kept.set(db, p);
  }
  return p;
}

export interface PushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export class SubscriptionGone extends Error {}

function post(
  endpoint: string,
  headers: Record<string, string | number>,
  body: Buffer | null,
): Promise<{ status: number; location?: string }> {
  const target = new URL(endpoint);
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', agent: safeAgent(target), headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} in 10 s`)));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** Sends one notification; answers the push service's id for it. A gone subscription throws SubscriptionGone. */
export async function sendPush(
  keys: VapidKeys,
  subject: string,
  sub: PushSubscription,
  payload: object,
  topic: string,
): Promise<string> {
  const details = webpush.generateRequestDetails(
    { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    JSON.stringify(payload),
    {
      vapidDetails: { subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
      TTL: 24 * 3600,
      contentEncoding: 'aes128gcm',
      // The same topic on a resend replaces an undelivered copy at the push service.
      topic,
    },
  );
  const res = await post(details.endpoint, details.headers as Record<string, string | number>, details.body);
  if (res.status === 404 || res.status === 410)
    throw new SubscriptionGone(`the push subscription is gone (HTTP ${res.status})`);
  if (res.status < 200 || res.status >= 300) throw new Error(`the push service answered HTTP ${res.status}`);
  return res.location ?? `HTTP ${res.status}`;
}
