/** One turn of a conversation, as every answer sees it, and what an answer hands back. */
import type { AppContext } from '../context.js';
import type { Tx } from '../db/pool.js';
import type { Brand } from '../brands/index.js';
import type { Person } from '../people/people.js';
import { describeFact, scopeOf, type StoredFact } from '../profile/facts.js';
import type { Draft } from './compose.js';
import type { ConversationState, LastUsed, Pending, UsedFact } from './store.js';
import { factSensitivity, type Fact, type Intent, type Understanding } from './understand/types.js';

export interface Turn {
  ctx: AppContext;
  /** The turn's transaction: everything it reads and changes is one unit. */
  tx: Tx;
  person: Person;
  /** The brand whose chat this is; null in the shopper's own Confidant. */
  brand: Brand | null;
  /** brand.id, or 0 for the shopper's own Confidant. */
  brandId: number;
  text: string;
  understood: Understanding;
  /** The intent acted on: the understood one, or the meaning of a pressed button. */
  intent: Intent;
  state: ConversationState;
  now: Date;
  /** Facts the shopper stated in this message, as stored. */
  stated: StoredFact[];
  /** Limits of this very request ("headphones under 100"): used for this answer, not stored. */
  forThisRequest?: Fact[];
  /** Facts said with doubt ("maybe she likes candles"): not stored; the answer may ask. */
  doubtful?: Fact[];
  /** Brand names by id (for "your Volt package", "from Corner Deli"). */
  brandName(id: number | null): string;
}

export interface Answer extends Draft {
  usedFacts?: UsedFact[];
  /** An action waiting for yes or no (replaces any earlier one); null clears it. */
  pending?: Pending | null;
  /** What the facts were used for, when the reply used any. */
  usedFor?: Omit<LastUsed, 'facts'>;
  /** The orders this reply talked about, most relevant first. */
  orders?: Array<{ brandId: number; orderId: string }>;
}

const SIZE_WORDS: Record<string, string> = {
  XS: 'extra small',
  S: 'small',
  M: 'medium',
  L: 'large',
  XL: 'extra large',
};

/** A fact in a few words: "keto", "shoe size 10", "likes fly fishing". */
export function describe(f: Pick<StoredFact, 'kind' | 'value' | 'polarity' | 'about'>): string {
  if (f.kind === 'size' && f.value && typeof f.value === 'object') {
    const s = f.value as { item?: string; size?: string };
    const item = s.item === 'shoes' ? 'shoe' : (s.item ?? 'clothing').replace(/(?<!s)s$/, '');
    return `${item} size ${s.size ? (SIZE_WORDS[s.size] ?? s.size) : ''}`.trim();
  }
  return describeFact(f);
}

/** A fact as a reply reports it: what it is, where it came from. */
export function usedFact(f: StoredFact, usedFor?: string): UsedFact {
  return {
    id: f.id,
    about: f.about,
    kind: f.kind,
    value: f.value,
    source: f.source,
    source_brand_id: f.sourceBrandId,
    description: describe(f),
    ...(usedFor ? { used_for: usedFor } : {}),
  };
}

/** How long a question waiting for "yes" stays open. */
export const PENDING_MINUTES = 30;
export const pendingUntil = (now: Date) => new Date(now.getTime() + PENDING_MINUTES * 60000).toISOString();

/**
 * This request's own limits ("headphones under 100") shaped as facts, so the rules of this one
 * answer apply them. Never stored: their ids (the nil UUID's neighbours) match no stored fact.
 */
export function requestLimits(turn: Pick<Turn, 'forThisRequest' | 'understood' | 'now'>): StoredFact[] {
  return (turn.forThisRequest ?? []).map((f, i) => {
    const sensitivity = factSensitivity(f);
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      about: f.about,
      kind: f.kind,
      value: f.value,
      polarity: f.polarity === 'negative' ? 'negative' : 'positive',
      source: 'stated',
      sourceBrandId: null,
      confidence: turn.understood.confidence,
      sensitivity,
      scope: scopeOf(f as Parameters<typeof scopeOf>[0], sensitivity),
      statedAt: turn.now,
      retiredUses: [],
    };
  });
}
