/**
 * The signals that move trust between a person and a brand, and how much each moves it. One list: the table's check,
 * the API schemas and the chat's wiring all take the kinds from here.
 */
export const SIGNAL_KINDS = [
  'question_answered',
  'purchase',
  'fact_stated',
  'message_engaged',
  'complaint',
  'opt_out',
  'abuse',
  'too_creepy',
  'apology',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/**
 * Points a signal adds (two-way interactions) or takes away (the person pulling back). An apology gives back part of
 * what swearing took; it never makes a relationship better than it was before.
 */
export const SIGNAL_WEIGHTS: Record<SignalKind, number> = {
  question_answered: 1,
  message_engaged: 1,
  fact_stated: 1.5,
  purchase: 2,
  apology: 3,
  complaint: -3,
  opt_out: -4,
  abuse: -5,
  too_creepy: -6,
};

/** Signals that count as talking, in the words the person reads. */
export const TALK_KINDS: ReadonlySet<SignalKind> = new Set(['question_answered', 'fact_stated', 'message_engaged']);

export interface TrustSignal {
  personId: string;
  brandId: number;
  kind: SignalKind;
  /** The fact a "too creepy" was about. */
  factId?: string;
  /** Several facts one "too creepy" was about: one signal, each fact's use retired. */
  factIds?: string[];
  /** The use that was too creepy (recommendations, service, marketing); `recommendations` when not said. */
  purpose?: string;
  /** Makes the signal count once (an order id for a purchase); a repeat is ignored. */
  ref?: string;
  at: Date;
}
