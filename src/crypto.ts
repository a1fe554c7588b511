import crypto from 'node:crypto';

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** A random credential with a readable prefix (`sk_`, `wk_`, `tok_`). */
export const randomToken = (prefix: string, bytes = 24) =>
  `${prefix}_${crypto.randomBytes(bytes).toString('base64url')}`;

export function hmac(secret: Buffer, ...parts: string[]): string {
  return crypto.createHmac('sha256', secret).update(parts.join('\u0000')).digest('base64url');
}
