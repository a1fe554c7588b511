/**
 * A message as a signed webhook to the brand (for SMS or a messaging app the brand runs): Standard Webhooks
 * (`standardwebhooks`) with the brand's `whsec_` secret. The webhook-id is the message's id and stays the same on
 * every retry, so the receiver keeps one delivery however often it is offered. It goes out through the SSRF-safe
 * agent (src/outbound.ts), like every call to an address a brand chose.
 */
import { Webhook } from 'standardwebhooks';
import { safePost } from '../../outbound.js';

const TIMEOUT_MS = 10_000;

export interface MessageHook {
  url: string;
  secret: string;
  messageId: string;
  payload: { type: string; timestamp: string; data: unknown };
  at: Date;
}

/** One attempt; answers the provider's id (the receiver's status). A non-2xx answer or a network error throws. */
export async function postMessageHook(h: MessageHook): Promise<string> {
  const body = JSON.stringify(h.payload);
  const id = `msg_${h.messageId}`;
  const signature = new Webhook(h.secret).sign(id, h.at, body);
  const res = await safePost(
    h.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'Confidant-Webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(h.at.getTime() / 1000)),
      'webhook-signature': signature,
    },
    { timeoutMs: TIMEOUT_MS },
  );
  if (res.status < 200 || res.status >= 300) throw new Error(`the webhook answered HTTP ${res.status}`);
  return `${id} HTTP ${res.status}`;
}
