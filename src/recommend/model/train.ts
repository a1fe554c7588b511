// Trains the in-memory hybrid recommendation model: item index, CF neighbours (EASE or cosine),
// lift-based basket complements, per-user recency-weighted histories, popularity and trending.
// The pieces: options.ts (defaults), sparse.ts, linalg.ts (EASE), encode.ts (indexing), neighbours.ts.
import { encodeInteractions } from './encode.js';
import { buildComplements, buildNeighbours } from './neighbours.js';
import { DAY, DEFAULT_BLEND, DEFAULT_TRAIN_OPTIONS } from './options.js';
import { csrFromTriplets, transposeCsr } from './sparse.js';
import type {
  Interaction,
  ModelParams,
  PeerIndex,
  RecModel,
  Scratch,
  SparseRows,
  TrainOptions,
  UserHistory,
} from './types.js';

export { DEFAULT_BLEND, DEFAULT_TRAIN_OPTIONS } from './options.js';

function resolveParams(interactions: readonly Interaction[], o: TrainOptions): ModelParams {
  let now = o.now ?? -Infinity;
  if (o.now === undefined) for (const e of interactions) if (e.at > now) now = e.at;
  if (!Number.isFinite(now)) now = Date.now();
  const d = DEFAULT_TRAIN_OPTIONS;
  return {
    now,
    kindWeights: { ...d.kindWeights, ...o.kindWeights },
    halfLifeDays: o.halfLifeDays ?? d.halfLifeDays,
    cfHalfLifeDays: o.cfHalfLifeDays ?? d.cfHalfLifeDays,
    trendingDays: o.trendingDays ?? d.trendingDays,
    trendingHalfLifeDays: o.trendingHalfLifeDays ?? d.trendingHalfLifeDays,
    similarity: o.similarity ?? d.similarity,
    easeLambda: o.easeLambda ?? d.easeLambda,
    maxEaseItems: o.maxEaseItems ?? d.maxEaseItems,
    neighbours: o.neighbours ?? d.neighbours,
    peerNeighbours: o.peerNeighbours ?? d.peerNeighbours,
    adoptionDays: o.adoptionDays ?? d.adoptionDays,
    adoptionHalfLifeDays: o.adoptionHalfLifeDays ?? d.adoptionHalfLifeDays,
    complements: o.complements ?? d.complements,
    minCoBaskets: o.minCoBaskets ?? d.minCoBaskets,
    profilePower: o.profilePower ?? d.profilePower,
    blend: {
      all: { ...DEFAULT_BLEND.all, ...o.blend?.all },
      new_only: { ...DEFAULT_BLEND.new_only, ...o.blend?.new_only },
    },
  };
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Rough heap size of a string (V8: header + 1 byte per Latin-1 char) and of a Map entry. */
const strBytes = (s: string) => 16 + s.length;
const MAP_ENTRY = 40;

function sparseBytes(s: SparseRows): number {
  return s.offsets.byteLength + s.idx.byteLength + s.val.byteLength;
}

export function makeScratch(n: number, nPeers: number): Scratch {
  return {
    cf: new Float64Array(n),
    buyAgain: new Float64Array(n),
    complement: new Float64Array(n),
    session: new Float64Array(n),
    cfFrom: new Int32Array(n),
    cfBest: new Float64Array(n),
    compFrom: new Int32Array(n),
    compBest: new Float64Array(n),
    sessFrom: new Int32Array(n),
    sessBest: new Float64Array(n),
    peers: new Float64Array(n),
    peerSim: new Float64Array(nPeers),
    peerTouched: new Uint32Array(nPeers),
    excluded: new Uint8Array(n),
  };
}

/** Items sorted by value desc (ties by index) as a typed array. */
function orderBy(values: Float32Array): Uint32Array {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return Uint32Array.from(order);
}

/**
 * Train the hybrid model from interactions (any order). Cost: dominated by the EASE inverse
 * (~15 s for 3000 items) and by Σ_users |items|² for the co-occurrence passes.
 */
export function trainModel(interactions: readonly Interaction[], options: TrainOptions = {}): RecModel {
  const onProgress = options.onProgress;
  const p = resolveParams(interactions, options);
  onProgress?.('index', 0, 1);
  const enc = encodeInteractions(
    interactions,
    p.kindWeights,
    p.cfHalfLifeDays > 0 ? { now: p.now, halfLifeDays: p.cfHalfLifeDays } : undefined,
  );
  const n = enc.itemIds.length;
  const nU = enc.userIds.length;
  onProgress?.('index', 1, 1);

  // Events grouped per user in time order; each (item, basket) counts once (the basket of a cart/view
  // without an explicit basket is its day, so repeated views do not pile up).
  const order = Array.from({ length: interactions.length }, (_, t) => t);
  const uOf = new Uint32Array(interactions.length);
  for (let t = 0; t < interactions.length; t++) uOf[t] = enc.userIndex.get(interactions[t].user)!;
  const basketKey = (e: Interaction) =>
    e.basket !== undefined ? `b:${e.basket}` : e.kind === 'purchase' ? `t:${e.at}` : `d:${Math.floor(e.at / DAY)}`;
  order.sort((a, b) => uOf[a] - uOf[b] || interactions[a].at - interactions[b].at);

  const halfLife = p.halfLifeDays * DAY;
  const decay = (at: number) => 2 ** (-Math.max(0, p.now - at) / halfLife);
  const trendFrom = p.now - p.trendingDays * DAY;

  const users = new Map<string, UserHistory>();
  const popularity = new Float32Array(n);
  const trending = new Float32Array(n);
  const score = new Float64Array(n);
  const count = new Uint32Array(n);
  // Trending = new buyers: users whose first event with the item falls in the trending window, weighted by
  // kind and by a short decay (on this data recent first-time buyers predict new purchases best).
  const recent = new Float64Array(n);
  const firstAt = new Float64Array(n);
  const seen = new Uint8Array(n);
  const trendHalfLife = p.trendingHalfLifeDays * DAY;
  // Peers: users with first purchases (adoptions) in the adoption window; what they adopted, decayed.
  const adoptFrom = p.now - p.adoptionDays * DAY;
  const adoptHalfLife = p.adoptionHalfLifeDays * DAY;
  const adopt = new Float64Array(n);
  const peerIds: string[] = [];
  const peerHist: Uint32Array[] = [];
  const aRows: number[] = [],
    aCols: number[] = [],
    aVals: number[] = [];
  const seenIn = new Map<string, number>(); // per user: item|basket -> best weight counted so far
  const purchasedIn = new Set<string>(); // per user: item|basket pairs already counted as a purchase
  const touched: number[] = [];
  // Purchase baskets for complements (global basket ids).
  const basketIds = new Map<string, number>();
  const bRows: number[] = [],
    bCols: number[] = [];

  for (let s = 0; s < order.length; ) {
    const u = uOf[order[s]];
    let e2 = s;
    while (e2 < order.length && uOf[order[e2]] === u) e2++;
    seenIn.clear();
    purchasedIn.clear();
    touched.length = 0;
    let lastKey = '',
      lastAt = -Infinity;
    for (let q = s; q < e2; q++) {
      const e = interactions[order[q]];
      const i = enc.itemIndex.get(e.item)!;
      const kw = p.kindWeights[e.kind] ?? 0;
      if (!(kw > 0) || !(e.weight > 0)) continue;
      const bk = basketKey(e);
      lastKey = bk; // events are in time order: the last valid one is the latest basket
      lastAt = e.at;
      const pair = `${i}|${bk}`;
      const w = e.weight * kw;
      const prev = seenIn.get(pair) ?? 0;
      if (!seen[i]) {
        seen[i] = 1;
        firstAt[i] = e.at;
        touched.push(i);
      }
      if (w > prev) {
        seenIn.set(pair, w);
        score[i] += (w - prev) * decay(e.at);
      }
      if (e.kind === 'purchase' && !purchasedIn.has(pair)) {
        purchasedIn.add(pair);
        count[i]++;
        const gk = `${u}|${bk}`;
        let g = basketIds.get(gk);
        if (g === undefined) basketIds.set(gk, (g = basketIds.size));
        bRows.push(g);
        bCols.push(i);
      }
      if (firstAt[i] >= trendFrom)
        recent[i] = Math.max(recent[i], w * 2 ** (-Math.max(0, p.now - e.at) / trendHalfLife));
      if (firstAt[i] >= adoptFrom) adopt[i] = Math.max(adopt[i], w * 2 ** (-Math.max(0, p.now - e.at) / adoptHalfLife));
    }
    if (touched.length) {
      // Items sorted by score desc; the arrays are what serving iterates.
      touched.sort((a, b) => score[b] - score[a] || a - b);
      const items = Uint32Array.from(touched);
      let adopted = 0;
      for (const i of touched)
        if (adopt[i] > 0) {
          aRows.push(peerIds.length);
          aCols.push(i);
          aVals.push(adopt[i]);
          adopt[i] = 0;
          adopted++;
        }
      if (adopted) {
        peerIds.push(enc.userIds[u]);
        peerHist.push(items);
      }
      const scores = new Float32Array(items.length);
      const counts = new Uint32Array(items.length);
      items.forEach((i, t) => {
        scores[t] = score[i];
        counts[t] = count[i];
        // A user adds at most 1 to an item's popularity: popularity counts (decayed) people, not units.
        popularity[i] += Math.min(1, score[i]);
        trending[i] += recent[i];
        score[i] = 0;
        count[i] = 0;
        recent[i] = 0;
        seen[i] = 0;
      });
      const last = new Set<number>();
      for (let q = s; q < e2; q++) {
        const e = interactions[order[q]];
        if ((p.kindWeights[e.kind] ?? 0) > 0 && e.weight > 0 && basketKey(e) === lastKey)
          last.add(enc.itemIndex.get(e.item)!);
      }
      const lastBasket = Uint32Array.from(last);
      users.set(enc.userIds[u], { items, scores, counts, lastBasket, lastAt });
    }
    s = e2;
    if (onProgress && users.size % 1000 === 0) onProgress('histories', users.size, nU);
  }
  onProgress?.('histories', nU, nU);
  const scaleMax = (a: Float32Array) => {
    let m = 0;
    for (const v of a) if (v > m) m = v;
    if (m > 0) for (let i = 0; i < a.length; i++) a[i] /= m;
  };
  scaleMax(popularity);
  scaleMax(trending);
  // Trending ties (many zeros) fall back to overall popularity order.
  const popularOrder = orderBy(popularity);
  const trendKey = new Float32Array(n);
  for (let i = 0; i < n; i++) trendKey[i] = trending[i] + popularity[i] * 1e-3;
  const trendingOrder = orderBy(trendKey);

  const peerAdoptions = csrFromTriplets(peerIds.length, aRows, aCols, aVals, aRows.length);
  const pRows: number[] = [],
    pCols: number[] = [];
  peerHist.forEach((items, v) =>
    items.forEach((i) => {
      pRows.push(i);
      pCols.push(v);
    }),
  );
  const peerItemUsers = csrFromTriplets(n, pRows, pCols, new Float32Array(pRows.length), pRows.length);
  const peers: PeerIndex = {
    userIds: peerIds,
    userIndex: new Map(peerIds.map((id, v) => [id, v])),
    itemUsers: { offsets: peerItemUsers.offsets, idx: peerItemUsers.idx },
    invNorm: Float32Array.from(peerHist, (h) => 1 / Math.sqrt(h.length)),
    adoptions: peerAdoptions,
  };

  let neighbours: SparseRows;
  let complements: SparseRows;
  const r = options.reuse;
  if (r && sameItems(r.itemIds, enc.itemIds)) {
    neighbours = r.neighbours;
    complements = r.complements;
  } else {
    neighbours = buildNeighbours(enc, p, onProgress);
    const basketItems = csrFromTriplets(
      basketIds.size,
      bRows,
      bCols,
      new Float32Array(bRows.length).fill(1),
      bRows.length,
    );
    complements = buildComplements({ basketItems, itemBaskets: transposeCsr(basketItems, n) }, n, p, onProgress);
  }

  const model: RecModel = {
    itemIds: enc.itemIds,
    itemIndex: enc.itemIndex,
    neighbours,
    complements,
    users,
    peers,
    popularity,
    trending,
    popularOrder,
    trendingOrder,
    params: p,
    memoryBytes: 0,
    scratch: makeScratch(n, peers.userIds.length),
  };
  model.memoryBytes = modelMemoryBytes(model);
  return model;
}

/** Approximate bytes a model holds in memory (typed arrays exactly, strings and maps estimated). */
export function modelMemoryBytes(m: Omit<RecModel, 'memoryBytes'>): number {
  const { neighbours, complements, popularity, peers, users } = m;
  let memoryBytes = sparseBytes(neighbours) + sparseBytes(complements) + popularity.byteLength * 4;
  memoryBytes +=
    sparseBytes(peers.adoptions) +
    peers.itemUsers.offsets.byteLength +
    peers.itemUsers.idx.byteLength +
    peers.invNorm.byteLength;
  memoryBytes += peers.userIds.length * MAP_ENTRY; // the strings are shared with `users`
  for (const id of m.itemIds) memoryBytes += 2 * strBytes(id) + MAP_ENTRY; // array slot + index key
  for (const [id, h] of users) {
    memoryBytes += strBytes(id) + MAP_ENTRY + 120; // entry + history object and typed-array headers
    memoryBytes += h.items.byteLength + h.scores.byteLength + h.counts.byteLength + h.lastBasket.byteLength;
  }
  for (const a of Object.values(m.scratch)) memoryBytes += (a as ArrayBufferView).byteLength;
  return memoryBytes;
}
