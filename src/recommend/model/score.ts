// Serving: the hybrid score of one request from a trained RecModel. Synchronous and allocation-light: per-item
// scratch buffers live on the model, and a request scores only the items its signals reached plus the head of a
// precomputed order of the rest, so it costs O(profile × neighbours + items) with a history and
// O(session/basket rows + k) without (O(items) more when req.blend changes the popular/trending weights).
import { TopK } from './sparse.js';
import type { BlendWeights, RecModel, RecSource, Recommendation, SparseRows } from './types.js';

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

/** Bits of scratch.excluded: not recommendable / listed in Serving.touched / its cfBest is needed. */
const EXCLUDED = 1;
const TOUCHED = 2;
const WANTED = 4;

/** Signals in blend order; peer adoption and global trending are both reported as 'trending'. */
const PART_SOURCES: readonly RecSource[] = [
  'cf',
  'trending',
  'buy_again',
  'complement',
  'session',
  'popular',
  'trending',
];

/** Per-model serving state, derived on first use (not part of the stored model). */
interface Serving {
  /** Items the current request gave a signal or a flag; their scratch entries are zeroed at its end. */
  touched: Uint32Array;
  /** CF weight of each profile item. */
  profileWeights: Float64Array;
  /** Order (score desc, then index asc, as TopK) of the items without any signal, per (popular, trending) weights. */
  orders: Array<{ popular: number; trending: number; order: Uint32Array }>;
}

const servings = new WeakMap<RecModel, Serving>();

function servingOf(model: RecModel): Serving {
  let s = servings.get(model);
  if (!s) {
    s = { touched: new Uint32Array(model.itemIds.length), profileWeights: new Float64Array(MAX_PROFILE), orders: [] };
    servings.set(model, s);
  }
  return s;
}

/**
 * The no-signal order for the popular/trending weights of one of the model's default blends; undefined for
 * other weights (tuning), which then score every item.
 */
function noSignalOrder(model: RecModel, s: Serving, w: BlendWeights): Uint32Array | undefined {
  for (const o of s.orders) if (o.popular === w.popular && o.trending === w.trending) return o.order;
  const { all, new_only } = model.params.blend;
  if (
    !(
      (w.popular === all.popular && w.trending === all.trending) ||
      (w.popular === new_only.popular && w.trending === new_only.trending)
    )
  )
    return undefined;
  const { popularity, trending } = model;
  // offerAll's expression with every personal signal 0, so values (and ties) are the same.
  const g = Float64Array.from(popularity, (p, j) => w.popular * p + w.trending * trending[j] + 1e-9 * p);
  const order = Uint32Array.from(g.keys()).sort((a, b) => g[b] - g[a] || a - b);
  s.orders.push({ popular: w.popular, trending: w.trending, order });
  return order;
}

/**
 * CF: cf[j] += weights[t] · neighbours[seeds[t]][j]. The hottest loop, so it tracks nothing else: the caller
 * lists the reached items afterwards, cfBecause finds the best contributions of the picks.
 */
function scatter(
  rows: SparseRows,
  seeds: ArrayLike<number>,
  count: number,
  weights: Float64Array,
  cf: Float64Array,
): void {
  const { offsets, idx, val } = rows;
  for (let t = 0; t < count; t++) {
    const i = seeds[t],
      pw = weights[t];
    for (let q = offsets[i], end = offsets[i + 1]; q < end; q++) cf[idx[q]] += pw * val[q];
  }
}

/**
 * cfBest/cfFrom of the WANTED items: their largest single CF contribution and its profile item, the first in
 * scatter's order on ties. Rows are best first, so a row stops at the first contribution that cannot beat the
 * smallest best so far.
 */
function cfBecause(
  model: RecModel,
  seeds: ArrayLike<number>,
  count: number,
  weights: Float64Array,
  wanted: readonly number[],
): void {
  const { offsets, idx, val } = model.neighbours;
  const { cfBest, cfFrom, excluded: flags } = model.scratch;
  let floor = 0;
  for (let t = 0; t < count; t++) {
    const i = seeds[t],
      pw = weights[t];
    let updated = false;
    for (let q = offsets[i], end = offsets[i + 1]; q < end; q++) {
      const c = pw * val[q];
      if (c <= floor) break;
      const j = idx[q];
      if (flags[j] & WANTED && c > cfBest[j]) {
        cfBest[j] = c;
        cfFrom[j] = i;
        updated = true;
      }
    }
    if (updated) {
      floor = Infinity;
      for (const j of wanted) if (cfBest[j] < floor) floor = cfBest[j];
    }
  }
}

/**
 * acc[j] += rows[seeds[t]][j], keeping each entry's largest single contribution in best and its seed in from,
 * and listing the entries not yet touched. Returns the new touched count.
 */
function accumulate(
  rows: SparseRows,
  seeds: readonly number[],
  acc: Float64Array,
  best: Float64Array,
  from: Int32Array,
  flags: Uint8Array,
  touched: Uint32Array,
  nt: number,
): number {
  const { offsets, idx, val } = rows;
  for (const i of seeds) {
    for (let q = offsets[i], end = offsets[i + 1]; q < end; q++) {
      const j = idx[q];
      if (!(flags[j] & TOUCHED)) {
        flags[j] |= TOUCHED;
        touched[nt++] = j;
      }
      const c = val[q];
      acc[j] += c;
      if (c > best[j]) {
        best[j] = c;
        from[j] = i;
      }
    }
  }
  return nt;
}

/** Max of acc (at least 0) over the entries of the seeds' rows: the max of a signal accumulated from them. */
function rowsMax(acc: Float64Array, rows: SparseRows, seeds: readonly number[]): number {
  const { offsets, idx } = rows;
  let m = 0;
  for (const i of seeds)
    for (let q = offsets[i], end = offsets[i + 1]; q < end; q++) if (acc[idx[q]] > m) m = acc[idx[q]];
  return m;
}

function zeroRows(acc: Float64Array, best: Float64Array, rows: SparseRows, seeds: readonly number[]): void {
  const { offsets, idx } = rows;
  for (const i of seeds) for (let q = offsets[i], end = offsets[i + 1]; q < end; q++) acc[idx[q]] = best[idx[q]] = 0;
}

/**
 * Peers: the active users most similar to the requester (cosine on item sets, over the requester's top
 * history items) and what they started buying recently, into scratch.peers. Returns the new touched count.
 */
function peerAdoptions(
  model: RecModel,
  histItems: ArrayLike<number>,
  user: string | undefined,
  touched: Uint32Array,
  nTouched: number,
): number {
  const { itemUsers, invNorm, adoptions, userIndex } = model.peers;
  const { peers, peerSim, peerTouched, excluded: flags } = model.scratch;
  const self = user !== undefined ? (userIndex.get(user) ?? -1) : -1;
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
    const v = top.idx[t],
      sim = top.val[t];
    for (let q = adoptions.offsets[v]; q < adoptions.offsets[v + 1]; q++) {
      const j = adoptions.idx[q];
      if (!(flags[j] & TOUCHED)) {
        flags[j] |= TOUCHED;
        touched[nTouched++] = j;
      }
      peers[j] += sim * adoptions.val[q];
    }
  }
  return nTouched;
}

/**
 * Offers to top the blended score of the candidates (cand[0..count), or 0..count without cand) not flagged
 * `skip`, stopping after `limit` offers. sc: the blend weights, the personal ones scaled to this request.
 */
function offerAll(
  top: TopK,
  sc: BlendWeights,
  model: RecModel,
  cand: Uint32Array | null,
  count: number,
  skip: number,
  limit: number,
): void {
  const { cf, peers, buyAgain, complement, session, excluded: flags } = model.scratch;
  const { popularity, trending } = model;
  const { cf: sCf, peers: sPe, buyAgain: sBa, complement: sCo, session: sSe, popular: wPo, trending: wTr } = sc;
  const cap = top.capacity;
  // TopK's rejection test, on a local copy of its k-th score (NaN until full: then nothing is rejected here).
  let floor = top.size === cap ? top.val[0] : NaN;
  for (let t = 0; t < count && limit > 0; t++) {
    const j = cand ? cand[t] : t;
    if (flags[j] & skip) continue;
    limit--;
    // The tiny popularity term orders items without any signal (e.g. every weight 0) by popularity.
    const s =
      sCf * cf[j] +
      sPe * peers[j] +
      sBa * buyAgain[j] +
      sCo * complement[j] +
      sSe * session[j] +
      wPo * popularity[j] +
      wTr * trending[j] +
      1e-9 * popularity[j];
    if (s < floor || (s === floor && j > top.idx[0])) continue;
    top.push(j, s);
    if (top.size === cap) floor = top.val[0];
  }
}

/** The signals bringing a material share of an item's score (parts: its terms in blend order), strongest first. */
function sourcesOf(parts: Float64Array, order: number[]): RecSource[] {
  // Of the two 'trending' terms keep the larger (peers on a tie).
  const drop = parts[1] >= parts[6] ? 6 : 1;
  let total = 0,
    len = 0;
  for (let p = 0; p < parts.length; p++) {
    if (p === drop) continue;
    total += parts[p];
    // Stable insertion sort, descending.
    let at = len++;
    for (; at > 0 && parts[p] > parts[order[at - 1]]; at--) order[at] = order[at - 1];
    order[at] = p;
  }
  const sources: RecSource[] = [];
  for (let t = 0; t < len; t++) {
    const v = parts[order[t]];
    if (v > 0 && (t === 0 || v >= SOURCE_SHARE * total)) sources.push(PART_SOURCES[order[t]]);
  }
  if (sources.length === 0) sources.push('popular');
  return sources;
}

export function recommendFromModel(model: RecModel, req: RecommendRequest): Recommendation[] {
  const n = model.itemIds.length;
  const k = Math.max(0, Math.floor(req.k));
  if (k === 0 || n === 0) return [];
  const mode = req.mode ?? 'all';
  const w: BlendWeights = { ...model.params.blend[mode], ...req.blend };
  if (mode === 'new_only') w.buyAgain = 0;
  const serving = servingOf(model);
  const { touched, profileWeights } = serving;
  const {
    cf,
    buyAgain,
    complement,
    session,
    peers,
    cfFrom,
    cfBest,
    compFrom,
    compBest,
    sessFrom,
    sessBest,
    excluded: flags,
  } = model.scratch;
  const nb = model.neighbours,
    cp = model.complements;

  // History: explicit map, else the model's history of the user (both best-first after sorting).
  let histItems: ArrayLike<number> = [];
  let histScores: ArrayLike<number> = [];
  let lastBasket: ArrayLike<number> = [];
  if (req.user !== undefined) lastBasket = model.users.get(req.user)?.lastBasket ?? [];
  if (req.basketItems)
    lastBasket = req.basketItems.map((id) => model.itemIndex.get(id)).filter((i): i is number => i !== undefined);
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
      histItems = h.items;
      histScores = h.scores;
    }
  }
  const sessionIdx: number[] = [];
  for (const id of req.sessionItems ?? []) {
    const i = model.itemIndex.get(id);
    if (i !== undefined && !sessionIdx.includes(i)) sessionIdx.push(i);
  }
  // Complements come from the session and the latest basket.
  const compSeeds = [...sessionIdx, ...Array.from(lastBasket)];
  // Exclusions: caller's set, the session (already in front of the user), and the history in new_only mode.
  const excl: number[] = [...sessionIdx];
  if (req.exclude)
    for (const id of req.exclude) {
      const i = model.itemIndex.get(id);
      if (i !== undefined) excl.push(i);
    }
  if (mode === 'new_only') for (let t = 0; t < histItems.length; t++) excl.push(histItems[t]);

  // Scratch entries are zero between requests: what this one writes is listed (touched, wanted, the signals'
  // rows) and zeroed at its end.
  const m = w.cf > 0 ? Math.min(histItems.length, MAX_PROFILE) : 0;
  const wanted: number[] = [];
  let nt = 0;
  try {
    // CF from the history profile: damped, recency-weighted scores. Then one pass lists the items it reached
    // (an exact 0 scores as if unreached) and takes their max.
    let mCf = 0;
    if (m > 0) {
      const maxHist = histScores[0],
        power = model.params.profilePower;
      for (let t = 0; t < m; t++) profileWeights[t] = (histScores[t] / maxHist) ** power;
      scatter(nb, histItems, m, profileWeights, cf);
      for (let j = 0; j < n; j++) {
        const v = cf[j];
        if (v > mCf) mCf = v;
        // Branch-free: a ternary here compiles to an unpredictable branch.
        const on = Number(v !== 0);
        touched[nt] = j;
        flags[j] = on * TOUCHED;
        nt += on;
      }
    }
    if (w.peers > 0 && histItems.length) nt = peerAdoptions(model, histItems, req.user, touched, nt);
    let mBa = 0;
    if (w.buyAgain > 0)
      for (let t = 0; t < histItems.length; t++) {
        const i = histItems[t];
        if (!(flags[i] & TOUCHED)) {
          flags[i] |= TOUCHED;
          touched[nt++] = i;
        }
        buyAgain[i] = histScores[t];
        if (histScores[t] > mBa) mBa = histScores[t];
      }
    // Session: CF neighbours of what is being looked at now.
    if (w.session > 0) nt = accumulate(nb, sessionIdx, session, sessBest, sessFrom, flags, touched, nt);
    if (w.complement > 0) nt = accumulate(cp, compSeeds, complement, compBest, compFrom, flags, touched, nt);
    for (const i of excl) {
      if (!(flags[i] & TOUCHED)) {
        flags[i] |= TOUCHED;
        touched[nt++] = i;
      }
      flags[i] |= EXCLUDED;
    }

    // Each signal is scaled to [0, 1] for this request, then blended.
    let mPe = 0;
    if (w.peers > 0) for (let t = 0; t < nt; t++) if (peers[touched[t]] > mPe) mPe = peers[touched[t]];
    const sc: BlendWeights = {
      cf: w.cf > 0 ? w.cf / (mCf || 1) : 0,
      peers: w.peers > 0 ? w.peers / (mPe || 1) : 0,
      buyAgain: w.buyAgain > 0 ? w.buyAgain / (mBa || 1) : 0,
      complement: w.complement > 0 ? w.complement / (rowsMax(complement, cp, compSeeds) || 1) : 0,
      session: w.session > 0 ? w.session / (rowsMax(session, nb, sessionIdx) || 1) : 0,
      popular: w.popular,
      trending: w.trending,
    };
    const variety = req.variety ?? (req.seed !== undefined ? 0.1 : 0);
    // Keep a few extra candidates when jittering, so variety can reorder near the top.
    const cap = variety > 0 ? Math.min(n, k * 3) : k;
    const top = new TopK(cap);
    const order = noSignalOrder(model, serving, w);
    if (order) {
      // The touched items, then the others in their fixed order: past the first `cap` of those, none can enter.
      offerAll(top, sc, model, touched, nt, EXCLUDED, nt);
      offerAll(top, sc, model, order, n, TOUCHED, cap);
    } else {
      offerAll(top, sc, model, null, n, EXCLUDED, n);
    }
    let picked = top.sorted();
    if (variety > 0) {
      const rand = rng((req.seed ?? 0) ^ hashString(req.user ?? ''));
      picked = picked
        .map((e) => ({ i: e.i, v: e.v * (1 + variety * (2 * rand() - 1)) }))
        .sort((a, b) => b.v - a.v || a.i - b.i);
    }
    picked = picked.slice(0, k);

    const { popularity, trending } = model;
    const parts = new Float64Array(PART_SOURCES.length);
    const partOrder: number[] = [];
    const recs = picked.map(({ i, v }): Recommendation => {
      parts[0] = sc.cf * cf[i];
      parts[1] = sc.peers * peers[i];
      parts[2] = sc.buyAgain * buyAgain[i];
      parts[3] = sc.complement * complement[i];
      parts[4] = sc.session * session[i];
      parts[5] = w.popular * popularity[i];
      parts[6] = w.trending * trending[i];
      const sources = sourcesOf(parts, partOrder);
      if (sources.includes('cf')) {
        wanted.push(i);
        flags[i] |= WANTED;
      }
      return { item: model.itemIds[i], score: v, sources };
    });
    if (wanted.length) cfBecause(model, histItems, m, profileWeights, wanted);
    recs.forEach((rec, r) => {
      const i = picked[r].i;
      const because = new Set<string>();
      for (const src of rec.sources) {
        if (src === 'cf' && cfBest[i] > 0) because.add(model.itemIds[cfFrom[i]]);
        else if (src === 'session' && sessBest[i] > 0) because.add(model.itemIds[sessFrom[i]]);
        else if (src === 'complement' && compBest[i] > 0) because.add(model.itemIds[compFrom[i]]);
        else if (src === 'buy_again') because.add(model.itemIds[i]);
      }
      if (because.size) rec.because = [...because];
    });
    return recs;
  } finally {
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      cf[j] = peers[j] = 0;
      flags[j] = 0;
    }
    for (const j of wanted) cfBest[j] = 0;
    for (let t = 0; t < histItems.length; t++) buyAgain[histItems[t]] = 0;
    zeroRows(session, sessBest, nb, sessionIdx);
    zeroRows(complement, compBest, cp, compSeeds);
  }
}
