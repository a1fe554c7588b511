// Shared types of the in-memory recommendation model (training in train.ts, serving in score.ts).

export type InteractionKind = 'purchase' | 'cart' | 'view';

/** One user/item event. Interactions are fed to the trainer from the DB or from a file loader. */
export interface Interaction {
  user: string;
  item: string;
  /** Caller-side multiplier (1 for an ordinary event); the kind weight and recency decay are applied on top. */
  weight: number;
  /** Milliseconds since epoch. */
  at: number;
  kind: InteractionKind;
  /**
   * Optional basket/order id (e.g. an invoice number). Complements are learned from baskets;
   * without it, purchases of one user at the same timestamp form a basket.
   */
  basket?: string;
}

export type RecSource = 'cf' | 'buy_again' | 'complement' | 'popular' | 'trending' | 'session';

export interface Recommendation {
  item: string;
  score: number;
  /** Signals that contributed materially to this item's score, strongest first. */
  sources: RecSource[];
  /** Item ids (from the user's history or session) that led to this item. */
  because?: string[];
}

export type ProgressFn = (phase: string, done: number, total: number) => void;

/** Blend weights of the hybrid score; each signal is first scaled to [0, 1] per request. */
export interface BlendWeights {
  /** Item-item neighbours of the user's history. */
  cf: number;
  /** What the user's nearest peers (similar histories) started buying recently; reported as 'trending'. */
  peers: number;
  buyAgain: number;
  complement: number;
  session: number;
  popular: number;
  trending: number;
}

export interface TrainOptions {
  /** Reference "now" for recency decay and trending; defaults to the latest interaction. */
  now?: number;
  /** Kind weights: purchase > cart > view. */
  kindWeights?: Record<InteractionKind, number>;
  /** Half-life of the recency decay on user histories and popularity, in days. */
  halfLifeDays?: number;
  /** Half-life of the decay on the CF input matrix (recent co-purchases weigh more), in days; 0 = none. */
  cfHalfLifeDays?: number;
  /** Trending window, in days before `now`: items ranked by their new buyers in it. */
  trendingDays?: number;
  /** Half-life of the decay inside the trending window, in days. */
  trendingHalfLifeDays?: number;
  /** Item-item similarity source: 'ease' (closed-form EASE rows) or 'cosine' (ItemKNN). */
  similarity?: 'ease' | 'cosine';
  /** EASE L2 regularisation. */
  easeLambda?: number;
  /** EASE is restricted to the most frequent items (dense n×n inverse); the rest use cosine. */
  maxEaseItems?: number;
  /** Peers (similar users) consulted per request, and the adoption window/half-life of their recent first purchases. */
  peerNeighbours?: number;
  adoptionDays?: number;
  adoptionHalfLifeDays?: number;
  /** Neighbours kept per item. */
  neighbours?: number;
  /** Complements kept per item, and the minimum number of shared baskets for a pair. */
  complements?: number;
  minCoBaskets?: number;
  /** Exponent applied to history scores when used as the CF profile (1 = linear, 0.5 = damped). */
  profilePower?: number;
  /** Blend weights per mode; defaults come from the benchmark's validation window. */
  blend?: { all?: Partial<BlendWeights>; new_only?: Partial<BlendWeights> };
  /** Reuse the (expensive) neighbours and complements of a model trained on the same interactions. */
  reuse?: RecModel;
  onProgress?: ProgressFn;
}

/** Resolved training parameters kept on the model (serving reads some of them). */
export interface ModelParams {
  now: number;
  kindWeights: Record<InteractionKind, number>;
  halfLifeDays: number;
  cfHalfLifeDays: number;
  trendingDays: number;
  trendingHalfLifeDays: number;
  similarity: 'ease' | 'cosine';
  easeLambda: number;
  maxEaseItems: number;
  neighbours: number;
  peerNeighbours: number;
  adoptionDays: number;
  adoptionHalfLifeDays: number;
  complements: number;
  minCoBaskets: number;
  profilePower: number;
  blend: { all: BlendWeights; new_only: BlendWeights };
}

/** Sparse rows: the entries of row i are idx/val[offsets[i] .. offsets[i+1]), best first. */
export interface SparseRows {
  offsets: Uint32Array;
  idx: Uint32Array;
  val: Float32Array;
}

/** A user's history, items sorted by score descending. */
export interface UserHistory {
  items: Uint32Array;
  /** Recency-weighted, kind-weighted score. */
  scores: Float32Array;
  /** Number of distinct purchase baskets containing the item. */
  counts: Uint32Array;
  /** Items of the user's latest basket (seed for complements). */
  lastBasket: Uint32Array;
  lastAt: number;
}

/** User-user side of the model: only "active" users (recent first purchases) can serve as peers. */
export interface PeerIndex {
  userIds: string[];
  userIndex: Map<string, number>;
  /** Item → active users having it in their history (binary), for cosine similarity to the requester. */
  itemUsers: { offsets: Uint32Array; idx: Uint32Array };
  /** 1/sqrt(history size) of each active user. */
  invNorm: Float32Array;
  /** Active user → items first bought inside the adoption window, weighted by kind and decay. */
  adoptions: SparseRows;
}

export interface RecModel {
  itemIds: string[];
  itemIndex: Map<string, number>;
  /** Item-item similarity neighbours (cf). */
  neighbours: SparseRows;
  /** Lift-based co-purchase complements. */
  complements: SparseRows;
  users: Map<string, UserHistory>;
  peers: PeerIndex;
  /** Recency-decayed popularity and trending, scaled to [0, 1]. */
  popularity: Float32Array;
  trending: Float32Array;
  /** Item indexes by descending popularity / trending. */
  popularOrder: Uint32Array;
  trendingOrder: Uint32Array;
  params: ModelParams;
  memoryBytes: number;
  /** Per-request scratch buffers, reused (serving is synchronous). */
  scratch: Scratch;
}

export interface Scratch {
  cf: Float64Array;
  buyAgain: Float64Array;
  complement: Float64Array;
  session: Float64Array;
  cfFrom: Int32Array;
  cfBest: Float64Array;
  compFrom: Int32Array;
  compBest: Float64Array;
  sessFrom: Int32Array;
  sessBest: Float64Array;
  peers: Float64Array;
  peerSim: Float64Array;
  peerTouched: Uint32Array;
  excluded: Uint8Array;
}
