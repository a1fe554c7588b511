/**
 * The token in a message's unsubscribe link and reply address: which message it is (so which person, brand and
 * channel a stop is for), signed with the server secret, so only the mail's recipient can use it. Short enough for
 * the local part of an address (`reply+<token>@...`, at most 64 characters).
 */
import crypto from 'node:crypto';
import { hmac } from '../crypto.js';

const sign = (secret: Buffer, messageId: string) => hmac(secret, 'message-token', messageId).slice(0, 20);

export function messageToken(secret: Buffer, messageId: string): string {
  return `${Buffer.from(messageId.replace(/-/g, ''), 'hex').toString('base64url')}.${sign(secret, messageId)}`;
}

/** The message a token names, or null when it is not one of ours. */
export function readToken(secret: Buffer, token: string): string | null {
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{20})$/.exec(token);
  if (!m) return null;
  const h = Buffer.from(m[1], 'base64url').toString('hex');
  if (h.length !== 32) return null;
  const messageId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  const want = Buffer.from(sign(secret, messageId));
  const got = Buffer.from(m[2]);
  return want.length === got.length && crypto.timingSafeEqual(want, got) ? messageId : null;
}

export const unsubscribeUrl = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/$/, '')}/v1/unsubscribe/${token}`;

export const replyAddress = (token: string) =>
  `reply+${token}@${process.env.MAIL_REPLY_DOMAIN ?? 'reply.confidant.local'}`;

/** The token in a reply's To address, if any. */
export const tokenInAddress = (address: string) =>
  /reply\+([A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{20})@/i.exec(address)?.[1] ?? null;
