// Serving: the hybrid score of one request from a trained RecModel. Synchronous and allocation-light
// (dense per-item scratch buffers live on the model), so a request costs O(profile × neighbours + items).
import { TopK } from './train.js';
import type { BlendWeights, RecModel, RecSource, Recommendation } from './types.js';

export interface RecommendRequest {
  /** Known user: the history comes from the model. */
  user?: string;
  /** Explicit history (item -> recency-weighted score); takes precedence over the model's history of `user`. */
  userItems?: Map<string, number>;
  /** Items of the current session/cart, most recent last; they seed CF and complements and are not recommended. */
  sessionItems?: string[];
  /** The latest basket (seeds complements, stays recommendable); defaults to the model's last basket of `user`. */
  basketItems?: string[];
  k: number;
  exclude?: ReadonlySet<string>;
  /** 'all' includes buy-again; 'new_only' never returns items from the history. Default 'all'. */
  mode?: 'all' | 'new_only';
  /** Seed of the controlled variety; setting it turns variety on (default strength 0.1). */
  seed?: number;
  /** Relative jitter of the top candidates' scores; 0 (default without a seed) = fully deterministic. */
  variety?: number;
  /** Override the model's blend weights (tuning and experiments). */
  blend?: Partial<BlendWeights>;
}

/** At most this many history items (the highest scored) feed CF, bounding latency for heavy buyers. */
const MAX_PROFILE = 400;
/** A signal is listed in `sources` when it brings at least this share of the item's score. */
const SOURCE_SHARE = 0.1;

/** mulberry32: tiny seeded PRNG for reproducible variety (and reproducible test data). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/**
 * Peers: the active users most similar to the requester (cosine on item sets, over the requester's top
 * history items) and what they started buying recently, into scratch.peers.
 */
function peerAdoptions(model: RecModel, histItems: readonly number[], user: string | undefined): void {
  const { itemUsers, invNorm, adoptions, userIndex } = model.peers;
  const { peers, peerSim, peerTouched } = model.scratch;
  const self = user !== undefined ? userIndex.get(user) ?? -1 : -1;
  let nt = 0;
  const m = Math.min(histItems.length, MAX_PROFILE);
  for (let t = 0; t < m; t++) {
    const i = histItems[t];
    for (let q = itemUsers.offsets[i]; q < itemUsers.offsets[i + 1]; q++) {
      const v = itemUsers.idx[q];
      if (peerSim[v] === 0) peerTouched[nt++] = v;
      peerSim[v] += 1;
    }
  }
  const top = new TopK(model.params.peerNeighbours);
  for (let t = 0; t < nt; t++) {
    const v = peerTouched[t];
    if (v !== self) top.push(v, peerSim[v] * invNorm[v]);
    peerSim[v] = 0;
  }
  for (let t = 0; t < top.size; t++) {
    const v = top.idx[t], sim = top.val[t];
    for (let q = adoptions.offsets[v]; q < adoptions.offsets[v + 1]; q++) peers[adoptions.idx[q]] += sim * adoptions.val[q];
  }
}

export function recommendFromModel(model: RecModel, req: RecommendRequest): Recommendation[] {
  const n = model.itemIds.length;
  const k = Math.max(0, Math.floor(req.k));
  if (k === 0 || n === 0) return [];
  const mode = req.mode ?? 'all';
  const w: BlendWeights = { ...model.params.blend[mode], ...req.blend };
  if (mode === 'new_only') w.buyAgain = 0;
  const { cf, buyAgain, complement, session, peers, cfFrom, cfBest, compFrom, compBest, sessFrom, sessBest, excluded } = model.scratch;
  cf.fill(0); buyAgain.fill(0); complement.fill(0); session.fill(0); peers.fill(0);
  cfBest.fill(0); compBest.fill(0); sessBest.fill(0); excluded.fill(0);

  // History: explicit map, else the model's history of the user (both best-first after sorting).
  let histItems: number[] = [];
  let histScores: number[] = [];
  let lastBasket: ArrayLike<number> = [];
  if (req.user !== undefined) lastBasket = model.users.get(req.user)?.lastBasket ?? [];
  if (req.basketItems) lastBasket = req.basketItems.map((id) => model.itemIndex.get(id)).filter((i): i is number => i !== undefined);
  if (req.userItems) {
    const entries: Array<[number, number]> = [];
    for (const [id, s] of req.userItems) {
      const i = model.itemIndex.get(id);
      if (i !== undefined && s > 0) entries.push([i, s]);
    }
    entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    histItems = entries.map((e) => e[0]);
    histScores = entries.map((e) => e[1]);
  } else if (req.user !== undefined) {
    const h = model.users.get(req.user);
    if (h) {
      histItems = Array.from(h.items);
      histScores = Array.from(h.scores);
    }
  }
  const sessionIdx: number[] = [];
  for (const id of req.sessionItems ?? []) {
    const i = model.itemIndex.get(id);
    if (i !== undefined && !sessionIdx.includes(i)) sessionIdx.push(i);
  }

  // Exclusions: caller's set, the session (already in front of the user), and the history in new_only mode.
  if (req.exclude) for (const id of req.exclude) {
    const i = model.itemIndex.get(id);
    if (i !== undefined) excluded[i] = 1;
  }
  for (const i of sessionIdx) excluded[i] = 1;
  if (mode === 'new_only') for (const i of histItems) excluded[i] = 1;

  const nb = model.neighbours;
  const maxHist = histScores.length ? histScores[0] : 0;
  const power = model.params.profilePower;
  // CF from the history profile: damped, recency-weighted scores.
  if (w.cf > 0) {
    const m = Math.min(histItems.length, MAX_PROFILE);
    for (let t = 0; t < m; t++) {
      const i = histItems[t];
      const pw = Math.pow(histScores[t] / maxHist, power);
      for (let q = nb.offsets[i]; q < nb.offsets[i + 1]; q++) {
        const j = nb.idx[q];
        const c = pw * nb.val[q];
        cf[j] += c;
        if (c > cfBest[j]) { cfBest[j] = c; cfFrom[j] = i; }
      }
    }
  }
  if (w.peers > 0 && histItems.length) peerAdoptions(model, histItems, req.user);
  if (w.buyAgain > 0) for (let t = 0; t < histItems.length; t++) buyAgain[histItems[t]] = histScores[t];
  // Session: CF neighbours of what is being looked at now.
  if (w.session > 0) for (const i of sessionIdx) {
    for (let q = nb.offsets[i]; q < nb.offsets[i + 1]; q++) {
      const j = nb.idx[q];
      const c = nb.val[q];
      session[j] += c;
      if (c > sessBest[j]) { sessBest[j] = c; sessFrom[j] = i; }
    }
  }
  // Complements of the session and of the latest basket.
  if (w.complement > 0) {
    const cp = model.complements;
    const seeds = [...sessionIdx, ...Array.from(lastBasket)];
    for (const i of seeds) {
      for (let q = cp.offsets[i]; q < cp.offsets[i + 1]; q++) {
        const j = cp.idx[q];
        const c = cp.val[q];
        complement[j] += c;
        if (c > compBest[j]) { compBest[j] = c; compFrom[j] = i; }
      }
    }
  }

  // Each signal is scaled to [0, 1] for this request, then blended.
  const sCf = w.cf > 0 ? w.cf / (maxOf(cf) || 1) : 0;
  const sBa = w.buyAgain > 0 ? w.buyAgain / (maxOf(buyAgain) || 1) : 0;
  const sCo = w.complement > 0 ? w.complement / (maxOf(complement) || 1) : 0;
  const sSe = w.session > 0 ? w.session / (maxOf(session) || 1) : 0;
  const sPe = w.peers > 0 ? w.peers / (maxOf(peers) || 1) : 0;
  const { popularity, trending } = model;
  const variety = req.variety ?? (req.seed !== undefined ? 0.1 : 0);
  // Keep a few extra candidates when jittering, so variety can reorder near the top.
  const top = new TopK(variety > 0 ? Math.min(n, k * 3) : k);
  for (let j = 0; j < n; j++) {
    if (excluded[j]) continue;
    const s = sCf * cf[j] + sPe * peers[j] + sBa * buyAgain[j] + sCo * complement[j] + sSe * session[j] + w.popular * popularity[j] + w.trending * trending[j];
    // The tiny popularity term orders items without any signal (e.g. every weight 0) by popularity.
    top.push(j, s + 1e-9 * popularity[j]);
  }
  let picked = top.sorted();
  if (variety > 0) {
    const rand = rng((req.seed ?? 0) ^ hashString(req.user ?? ''));
    picked = picked.map((e) => ({ i: e.i, v: e.v * (1 + variety * (2 * rand() - 1)) })).sort((a, b) => b.v - a.v || a.i - b.i);
  }
  picked = picked.slice(0, k);

  return picked.map(({ i, v }) => {
    const parts: Array<[RecSource, number]> = [
      ['cf', sCf * cf[i]],
      ['trending', sPe * peers[i]],
      ['buy_again', sBa * buyAgain[i]],
      ['complement', sCo * complement[i]],
      ['session', sSe * session[i]],
      ['popular', w.popular * popularity[i]],
      ['trending', w.trending * trending[i]],
    ];
    // Peer adoption and global trending are both reported as 'trending': keep the larger share.
    const tr = parts.filter((p) => p[0] === 'trending');
    if (tr.length === 2) parts.splice(parts.indexOf(tr[0][1] >= tr[1][1] ? tr[1] : tr[0]), 1);
    const total = parts.reduce((s, p) => s + p[1], 0);
    parts.sort((a, b) => b[1] - a[1]);
    const sources = parts.filter((p, t) => p[1] > 0 && (t === 0 || p[1] >= SOURCE_SHARE * total)).map((p) => p[0]);
    if (sources.length === 0) sources.push('popular');
    const because = new Set<string>();
    for (const src of sources) {
      if (src === 'cf' && cfBest[i] > 0) because.add(model.itemIds[cfFrom[i]]);
      else if (src === 'session' && sessBest[i] > 0) because.add(model.itemIds[sessFrom[i]]);
      else if (src === 'complement' && compBest[i] > 0) because.add(model.itemIds[compFrom[i]]);
      else if (src === 'buy_again') because.add(model.itemIds[i]);
    }
    const rec: Recommendation = { item: model.itemIds[i], score: v, sources };
    if (because.size) rec.because = [...because];
    return rec;
  });
}
