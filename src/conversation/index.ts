/** The conversation room's front door: what other rooms may call. */
import type { Queryable } from '../db/pool.js';
import { addMessage } from './store.js';
export { runUnderstandCli } from './understand/cli.js';
export { type Fact as SaidFact, factSensitivity, type Sensitivity } from './understand/types.js';
export { shortName, singular } from './wording.js';

/** When the person last wrote to the brand in chat (a service message answers that), or null. */
export async function lastAskedAt(db: Queryable, personId: string, brandId: number): Promise<Date | null> {
  const r = await db.query({
    name: 'conversation.last_asked_at',
    text: `SELECT max(at) AS at FROM (SELECT at FROM conversation_messages WHERE person_id = $1 AND brand_id = $2 AND role = 'shopper'
      ORDER BY message_id DESC LIMIT 1) m`,
    values: [personId, brandId],
  });
  return r.rows[0]?.at ?? null;
}

/**
 * A brand's message delivered into the person's conversation with that brand (the chat and in-app channel), as the
 * brand's assistant speaking. Call it inside the transaction that records the delivery, so it is stored exactly once.
 * Returns the conversation message id.
 */
export function postToThread(
  tx: Queryable,
  m: { personId: string; brandId: number; text: string; at: Date },
): Promise<number> {
  return addMessage(tx, { personId: m.personId, brandId: m.brandId, role: 'assistant', text: m.text, at: m.at });
}
