/**
 * The widget's credentials, both derived from the server secret so nothing needs storing:
 * - a brand's identity secret: the shop's own server signs its signed-in customer's id with it
 *   (`HMAC-SHA256(identity secret, customer id)`, hex), so the page never holds a secret;
 * - a widget session token: what the widget sends back on every call, signed by us, naming the brand and,
 *   once the customer proved who they are and linked their Confidant, the person. It lets its holder chat
 *   with that one brand and nothing else (never `/v1/me`).
 */
import crypto from 'node:crypto';
import { hmac } from '../../crypto.js';

export const WIDGET_SESSION_HOURS = 12;

export function identitySecret(secret: Buffer, brandId: number): string {
  return `wis_${hmac(secret, 'widget-identity', String(brandId)).slice(0, 40)}`;
}

/** What the shop's server computes for its signed-in customer. */
export function customerHash(identity: string, customerId: string): string {
  return crypto.createHmac('sha256', identity).update(customerId).digest('hex');
}

export function customerHashValid(identity: string, customerId: string, hash: string): boolean {
  const want = Buffer.from(customerHash(identity, customerId), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/i.test(hash) ? hash : '', 'hex');
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}

export interface WidgetSession {
  brandId: number;
  /** The person, when the customer is identified by the shop and linked their Confidant. */
  personId: string | null;
  /** The shop's customer id, when the shop identified them. */
  customerId: string | null;
  expiresAt: number;
}

export function signSession(secret: Buffer, s: WidgetSession): string {
  const body = Buffer.from(JSON.stringify([s.brandId, s.personId, s.customerId, s.expiresAt])).toString('base64url');
  return `wt_${body}.${hmac(secret, 'widget-session', body)}`;
}

/** The session a token stands for, or null when it is forged, for another brand, or expired. */
export function verifySession(secret: Buffer, token: string, brandId: number, now: Date): WidgetSession | null {
  const m = /^wt_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const want = Buffer.from(hmac(secret, 'widget-session', m[1]));
  const got = Buffer.from(m[2]);
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
  const [b, personId, customerId, expiresAt] = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  if (b !== brandId || expiresAt <= now.getTime()) return null;
  return { brandId: b, personId, customerId, expiresAt };
}
