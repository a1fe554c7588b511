// The model's defaults: kind weights, half-lives, similarity and blend weights.
import type { BlendWeights, InteractionKind } from './types.js';

export const DAY = 86_400_000;

/**
 * Defaults. The recency, profile and blend values were chosen on the validation window of bench/recs.ts
 * (train before the last 8 weeks, validate on weeks 8–4) — never on its test weeks.
 */
export const DEFAULT_BLEND: { all: BlendWeights; new_only: BlendWeights } = {
  all: { cf: 1, peers: 0, buyAgain: 1.5, complement: 0.1, session: 1, popular: 0.05, trending: 0.1 },
  new_only: { cf: 1, peers: 0.5, buyAgain: 0, complement: 0.2, session: 1, popular: 0, trending: 0.1 },
};

export const DEFAULT_TRAIN_OPTIONS = {
  kindWeights: { purchase: 1, cart: 0.4, view: 0.1 } as Record<InteractionKind, number>,
  halfLifeDays: 120,
  cfHalfLifeDays: 90,
  trendingDays: 14,
  trendingHalfLifeDays: 7,
  similarity: 'ease' as 'ease' | 'cosine',
  easeLambda: 200,
  maxEaseItems: 3000,
  neighbours: 300,
  peerNeighbours: 100,
  adoptionDays: 28,
  adoptionHalfLifeDays: 14,
  complements: 20,
  minCoBaskets: 3,
  profilePower: 0.5,
};
