/**
 * One turn of the chat: understand the message, settle a waiting yes/no, record what the shopper
 * stated, answer the intent from real data, compose the reply under the rules, and store it all in
 * one transaction (the conversation's state row is locked for the turn).
 */
import type { AppContext } from '../context.js';
import { inTransaction, type Queryable } from '../db/pool.js';
import type { Brand } from '../brands/index.js';
import type { Person } from '../people/people.js';
import { recordFacts } from '../profile/facts.js';
import { compose, type Reply } from './compose.js';
import { understand } from './understand/index.js';
import { factsToKeep } from './understand/keep.js';
import type { Intent, Understanding } from './understand/types.js';
import { addMessage, lockState, OWN_CONFIDANT, saveState, type UsedFact } from './store.js';
import { type Answer, type Turn, usedFact } from './turn.js';
import {
  orderStatus,
  PRODUCT_PROBLEM,
  paymentQuestion,
  productProblem,
  refundStatus,
  trackShipment,
} from './answers/orders.js';
import { cancelOrder, changeDelivery, resolvePending, returnItem, yesOrNo } from './answers/actions.js';
import { confirmation, forgetFact, stateFact, tooCreepy, whatDoYouKnow } from './answers/profile.js';
import { asksForPicks, recommend } from './answers/suggestions.js';
import { recordTurnSignal } from './trust-signals.js';
import {
  abuse,
  apology,
  greeting,
  other,
  resumeMessagesAnswer,
  stopMessagesAnswer,
  talkToHuman,
} from './answers/manners.js';

/** Each intent of the contract and the answer that handles it. */
const ANSWERS: Record<Intent, (turn: Turn) => Promise<Answer>> = {
  order_status: orderStatus,
  track_shipment: trackShipment,
  return_item: returnItem,
  cancel_order: cancelOrder,
  refund_status: refundStatus,
  change_delivery: changeDelivery,
  payment_question: paymentQuestion,
  talk_to_human: talkToHuman,
  state_fact: stateFact,
  forget_fact: forgetFact,
  what_do_you_know: whatDoYouKnow,
  find_product: recommend,
  recommend,
  too_creepy: tooCreepy,
  abuse,
  apology,
  stop_messages: stopMessagesAnswer,
  resume_messages: resumeMessagesAnswer,
  greeting,
  other,
};

/** Answers that confirm stated facts themselves; any other answer gets the confirmation put in front. */
const CONFIRMS_FACTS = new Set<Intent>(['state_fact', 'recommend', 'find_product']);

export interface TurnResult {
  reply: Reply;
  understood: Understanding;
  used_facts: UsedFact[];
}

async function brandNames(db: Queryable, personId: string, brand: Brand | null): Promise<Map<number, string>> {
  const r = await db.query(
    `SELECT id, name FROM brands WHERE id IN (SELECT brand_id FROM brand_customers WHERE person_id = $1) OR id = $2`,
    [personId, brand?.id ?? -1],
  );
  return new Map(r.rows.map((b) => [Number(b.id), b.name as string]));
}

/** A message is at most this long, after trimming. */
export const MAX_TEXT = 2000;

export async function respond(ctx: AppContext, person: Person, brand: Brand | null, text: string): Promise<TurnResult> {
  const now = ctx.now();
  const understood = understand(text, { now, timeZone: person.timeZone });
  return inTransaction(ctx.db, async (tx) => {
    const brandId = brand?.id ?? OWN_CONFIDANT;
    const state = await lockState(tx, person.id, brandId, now);
    await addMessage(tx, { personId: person.id, brandId, role: 'shopper', text, understood, at: now });
    const names = await brandNames(tx, person.id, brand);

    // A pressed button means what it offered; no guessing.
    const pressed = state.offered.find((o) => o.value.trim().toLowerCase() === text.trim().toLowerCase());
    // Only facts worth keeping are stored: a request's own limits and doubtful facts are not.
    const kept = factsToKeep(understood);
    const said = kept.keep;
    let intent: Intent = pressed?.intent ?? understood.intent;
    if (intent === 'other' && (said.length || kept.doubtful.length)) intent = 'state_fact';
    // Answer what was asked: "what's new?" and "my usual" ask for suggestions even when not understood as such.
    if (intent === 'other' && asksForPicks(text)) intent = 'recommend';

    const turn: Turn = {
      ctx,
      tx,
      person,
      brand,
      brandId,
      text,
      understood,
      intent,
      state,
      now,
      stated: [],
      forThisRequest: kept.forThisRequest,
      doubtful: kept.doubtful,
      brandName: (id) => (id === null ? 'Confidant' : (names.get(id) ?? 'the shop')),
    };

    let answer: Answer | null = null;
    if (state.pending) {
      const live = new Date(state.pending.expiresAt) > now;
      const yn = live ? yesOrNo(text) : null;
      if (yn) answer = await resolvePending(turn, state.pending, yn);
      // Anything but a yes or no moves on: the question lapses rather than being confirmed later by surprise.
      state.pending = null;
    }
    if (!answer) {
      if (said.length && intent !== 'forget_fact' && intent !== 'what_do_you_know') {
        turn.stated = await recordFacts(
          tx,
          person.id,
          said.map((f) => ({
            about: f.about,
            kind: f.kind,
            value: f.value,
            polarity: f.polarity as 'positive' | 'negative',
          })),
          {
            source: 'stated',
            confidence: understood.confidence,
            at: now,
          },
        );
      }
      // A product that doesn't fit or work is a return or a person, whatever else the message was taken for.
      answer =
        PRODUCT_PROBLEM.test(text) && (intent === 'other' || intent === 'payment_question')
          ? await productProblem(turn)
          : await ANSWERS[intent](turn);
      if (turn.stated.length && !CONFIRMS_FACTS.has(intent)) {
        // Every stated fact is confirmed, whatever else the message asked.
        const main = answer.say[0] ?? answer.ask;
        answer = {
          ...answer,
          say: [confirmation(turn.stated), ...(main ? [main] : [])],
          ask: undefined,
          usedFacts: [...turn.stated.map((f) => usedFact(f, 'confirmed')), ...(answer.usedFacts ?? [])],
        };
      }
    }

    await recordTurnSignal(turn);
    const composed = compose(answer);
    const used = answer.usedFacts ?? [];
    await addMessage(tx, {
      personId: person.id,
      brandId,
      role: 'assistant',
      text: composed.text,
      actions: composed.actions,
      usedFacts: used,
      at: now,
    });
    await saveState(
      tx,
      person.id,
      brandId,
      {
        pending: answer.pending === undefined ? state.pending : answer.pending,
        lastUsed:
          answer.usedFor && (used.length || answer.usedFor.picks?.length) ? { ...answer.usedFor, facts: used } : null,
        lastOrders: answer.orders ?? state.lastOrders,
        offered: composed.offers,
      },
      now,
    );
    return { reply: { text: composed.text, actions: composed.actions }, understood, used_facts: used };
  });
}
