/**
 * What a turn of a brand's chat tells the trust room: a question answered, facts stated, swearing, an apology, a stop.
 * ("Too creepy" is recorded by its answer, with the facts it was about.)
 */
import { recordTrustSignal, type SignalKind } from '../trust/index.js';
import type { Intent } from './understand/types.js';
import type { Turn } from './turn.js';

const BY_INTENT: Partial<Record<Intent, SignalKind>> = {
  order_status: 'question_answered',
  track_shipment: 'question_answered',
  return_item: 'question_answered',
  cancel_order: 'question_answered',
  refund_status: 'question_answered',
  change_delivery: 'question_answered',
  payment_question: 'question_answered',
  what_do_you_know: 'question_answered',
  find_product: 'question_answered',
  recommend: 'question_answered',
  abuse: 'abuse',
  apology: 'apology',
  stop_messages: 'opt_out',
};

/** The signal of a turn, if any: stating facts counts more than the question it came with. */
export function signalOfTurn(intent: Intent, statedFacts: number): SignalKind | null {
  if (statedFacts > 0 && intent !== 'abuse' && intent !== 'too_creepy') return 'fact_stated';
  return BY_INTENT[intent] ?? null;
}

/** Records the turn's signal in the turn's transaction; the shopper's own Confidant is no brand and moves no trust. */
export async function recordTurnSignal(turn: Turn): Promise<void> {
  if (!turn.brand) return;
  const kind = signalOfTurn(turn.intent, turn.stated.length);
  if (kind) await recordTrustSignal(turn.tx, { personId: turn.person.id, brandId: turn.brand.id, kind, at: turn.now });
}
