// Trains the in-memory hybrid recommendation model: item index, CF neighbours (EASE or cosine),
// lift-based basket complements, per-user recency-weighted histories, popularity and trending.
import type {
  BlendWeights,
  Interaction,
  InteractionKind,
  ModelParams,
  PeerIndex,
  ProgressFn,
  RecModel,
  Scratch,
  SparseRows,
  TrainOptions,
  UserHistory,
} from './types.js';

const DAY = 86_400_000;

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

// ---------------------------------------------------------------------------------------------
// Sparse helpers

/** Compressed rows with float values (CSR). */
export interface Csr {
  offsets: Uint32Array;
  idx: Uint32Array;
  val: Float32Array;
}

/** Build CSR rows from (row, col, val) triplets by counting sort; rows keep triplet order. */
export function csrFromTriplets(
  nRows: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  vals: ArrayLike<number>,
  count: number,
): Csr {
  const offsets = new Uint32Array(nRows + 1);
  for (let t = 0; t < count; t++) offsets[rows[t] + 1]++;
  for (let r = 0; r < nRows; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, nRows);
  const idx = new Uint32Array(count);
  const val = new Float32Array(count);
  for (let t = 0; t < count; t++) {
    const p = fill[rows[t]]++;
    idx[p] = cols[t];
    val[p] = vals[t];
  }
  return { offsets, idx, val };
}

export function transposeCsr(m: Csr, nCols: number): Csr {
  const nRows = m.offsets.length - 1;
  const rows = new Uint32Array(m.idx.length);
  for (let r = 0; r < nRows; r++) for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) rows[p] = r;
  return csrFromTriplets(nCols, m.idx, rows, m.val, m.idx.length);
}

/**
 * Co-occurrence row of item i through groups (users or baskets): acc[j] += v(g,i)·v(g,j) for every group g
 * containing i. Returns the number of touched items written to `touched`; the caller clears acc.
 */
export function cooccurrenceRow(
  i: number,
  itemGroups: Csr,
  groupItems: Csr,
  acc: Float64Array,
  touched: Uint32Array,
): number {
  let nt = 0;
  for (let p = itemGroups.offsets[i]; p < itemGroups.offsets[i + 1]; p++) {
    const g = itemGroups.idx[p];
    const vi = itemGroups.val[p];
    for (let q = groupItems.offsets[g]; q < groupItems.offsets[g + 1]; q++) {
      const j = groupItems.idx[q];
      if (acc[j] === 0) touched[nt++] = j;
      acc[j] += vi * groupItems.val[q];
    }
  }
  return nt;
}

/** Fixed-capacity selection of the largest values (min-heap), used for top-N neighbours and top-k serving. */
export class TopK {
  readonly idx: Int32Array;
  readonly val: Float64Array;
  size = 0;
  constructor(readonly capacity: number) {
    this.idx = new Int32Array(Math.max(1, capacity));
    this.val = new Float64Array(Math.max(1, capacity));
  }
  reset(): void {
    this.size = 0;
  }
  /** Ties are broken by the smaller index, so results are deterministic. */
  private less(a: number, b: number): boolean {
    const va = this.val[a],
      vb = this.val[b];
    return va < vb || (va === vb && this.idx[a] > this.idx[b]);
  }
  push(i: number, v: number): void {
    const { idx, val } = this;
    if (this.size < this.capacity) {
      let c = this.size++;
      idx[c] = i;
      val[c] = v;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!this.less(c, p)) break;
        this.swap(c, p);
        c = p;
      }
      return;
    }
    if (this.capacity === 0) return;
    if (v < val[0] || (v === val[0] && i > idx[0])) return;
    idx[0] = i;
    val[0] = v;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1,
        r = l + 1;
      let m = c;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === c) break;
      this.swap(c, m);
      c = m;
    }
  }
  private swap(a: number, b: number): void {
    const ti = this.idx[a];
    this.idx[a] = this.idx[b];
    this.idx[b] = ti;
    const tv = this.val[a];
    this.val[a] = this.val[b];
    this.val[b] = tv;
  }
  /** Entries best first (empties the heap order; call reset() before reuse). */
  sorted(): Array<{ i: number; v: number }> {
    const out: Array<{ i: number; v: number }> = [];
    for (let t = 0; t < this.size; t++) out.push({ i: this.idx[t], v: this.val[t] });
    out.sort((a, b) => b.v - a.v || a.i - b.i);
    return out;
  }
}

/** Assemble sparse rows from per-row best-first lists. */
function sparseFromLists(lists: Array<Array<{ i: number; v: number }>>): SparseRows {
  let total = 0;
  for (const l of lists) total += l.length;
  const offsets = new Uint32Array(lists.length + 1);
  const idx = new Uint32Array(total);
  const val = new Float32Array(total);
  let p = 0;
  for (let r = 0; r < lists.length; r++) {
    for (const e of lists[r]) {
      idx[p] = e.i;
      val[p] = e.v;
      p++;
    }
    offsets[r + 1] = p;
  }
  return { offsets, idx, val };
}

// ---------------------------------------------------------------------------------------------
// Dense linear algebra (EASE)

/** 4-way unrolled dot product: lets V8 overlap the multiply-adds. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let t = 0;
  for (const l4 = len - 3; t < l4; t += 4) {
    s0 += a[ao + t] * b[bo + t];
    s1 += a[ao + t + 1] * b[bo + t + 1];
    s2 += a[ao + t + 2] * b[bo + t + 2];
    s3 += a[ao + t + 3] * b[bo + t + 3];
  }
  for (; t < len; t++) s0 += a[ao + t] * b[bo + t];
  return s0 + s1 + (s2 + s3);
}

/**
 * In-place inverse of a symmetric positive-definite n×n row-major matrix through Cholesky:
 * A = L·Lᵀ, M = L⁻¹ (row-wise forward substitution), A⁻¹ = Mᵀ·M; about n³/2 multiply-adds.
 * Every phase handles 4 rows at a time so each streamed row is reused 4× from cache (≈1.5× faster than
 * row by row; n = 3000 takes ~10 s in V8).
 */
export function invertSPD(A: Float64Array, n: number, onProgress?: ProgressFn): void {
  const BS = 4;
  const report = (phase: string, i0: number) => {
    if (onProgress && (i0 % 256 === 0 || i0 + BS >= n)) onProgress(phase, Math.min(n, i0 + BS), n);
  };
  // Phase 1: Cholesky, L in the lower triangle.
  for (let i0 = 0; i0 < n; i0 += BS) {
    const R = Math.min(BS, n - i0);
    const r0 = i0 * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    for (let j = 0; j < i0; j++) {
      const rj = j * n;
      const d = A[rj + j];
      if (R === BS) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let t = 0; t < j; t++) {
          const b = A[rj + t];
          s0 += A[r0 + t] * b;
          s1 += A[r1 + t] * b;
          s2 += A[r2 + t] * b;
          s3 += A[r3 + t] * b;
        }
        A[r0 + j] = (A[r0 + j] - s0) / d;
        A[r1 + j] = (A[r1 + j] - s1) / d;
        A[r2 + j] = (A[r2 + j] - s2) / d;
        A[r3 + j] = (A[r3 + j] - s3) / d;
      } else {
        for (let r = 0; r < R; r++) {
          const ri = (i0 + r) * n;
          A[ri + j] = (A[ri + j] - dot(A, ri, A, rj, j)) / d;
        }
      }
    }
    for (let r = 0; r < R; r++) {
      const i = i0 + r,
        ri = i * n;
      for (let j = i0; j <= i; j++) {
        const rj = j * n;
        const s = A[ri + j] - dot(A, ri, A, rj, j);
        if (i === j) {
          if (!(s > 0)) throw new Error(`invertSPD: matrix not positive definite at row ${i}`);
          A[ri + i] = Math.sqrt(s);
        } else A[ri + j] = s / A[rj + j];
      }
    }
    report('ease:cholesky', i0);
  }
  // Phase 2: M = L⁻¹, row i = (e_i − Σ_{c<i} L[i][c]·M_c) / L[i][i], overwriting L row by row.
  const tmp = new Float64Array(BS * n);
  for (let i0 = 0; i0 < n; i0 += BS) {
    const R = Math.min(BS, n - i0);
    for (let r = 0; r < R; r++) {
      const i = i0 + r,
        ri = i * n;
      for (let c = 0; c <= i; c++) tmp[r * n + c] = A[ri + c];
      A.fill(0, ri, ri + i);
      A[ri + i] = 1;
    }
    const r0 = i0 * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    for (let c = 0; c < i0; c++) {
      const rc = c * n;
      if (R === BS) {
        const f0 = tmp[c],
          f1 = tmp[n + c],
          f2 = tmp[2 * n + c],
          f3 = tmp[3 * n + c];
        for (let t = 0; t <= c; t++) {
          const m = A[rc + t];
          A[r0 + t] -= f0 * m;
          A[r1 + t] -= f1 * m;
          A[r2 + t] -= f2 * m;
          A[r3 + t] -= f3 * m;
        }
      } else {
        for (let r = 0; r < R; r++) {
          const f = tmp[r * n + c],
            ri = (i0 + r) * n;
          for (let t = 0; t <= c; t++) A[ri + t] -= f * A[rc + t];
        }
      }
    }
    // Rows inside the block depend on each other: finish them in order.
    for (let r = 0; r < R; r++) {
      const i = i0 + r,
        ri = i * n;
      for (let c = i0; c < i; c++) {
        const f = tmp[r * n + c],
          rc = c * n;
        for (let t = 0; t <= c; t++) A[ri + t] -= f * A[rc + t];
      }
      const dinv = 1 / tmp[r * n + i];
      for (let t = 0; t <= i; t++) A[ri + t] *= dinv;
    }
    report('ease:inverse', i0);
  }
  // Phase 3: transpose M to upper U, then (A⁻¹)[i][j] = Σ_{t≥i} U[i][t]·U[j][t] for j ≤ i (contiguous rows).
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = A[i * n + j];
      A[i * n + j] = A[j * n + i];
      A[j * n + i] = a;
    }
  }
  const out = new Float64Array(BS * n);
  for (let i0 = 0; i0 < n; i0 += BS) {
    const R = Math.min(BS, n - i0);
    const last = i0 + R - 1; // the block's rows share the range t ≥ last
    const r0 = i0 * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    for (let j = 0; j < i0; j++) {
      const rj = j * n;
      if (R === BS) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let t = last; t < n; t++) {
          const b = A[rj + t];
          s0 += A[r0 + t] * b;
          s1 += A[r1 + t] * b;
          s2 += A[r2 + t] * b;
          s3 += A[r3 + t] * b;
        }
        for (let t = i0; t < last; t++) {
          const b = A[rj + t];
          s0 += A[r0 + t] * b;
          if (t > i0) s1 += A[r1 + t] * b;
          if (t > i0 + 1) s2 += A[r2 + t] * b;
        }
        out[j] = s0;
        out[n + j] = s1;
        out[2 * n + j] = s2;
        out[3 * n + j] = s3;
      } else {
        for (let r = 0; r < R; r++) {
          const i = i0 + r;
          out[r * n + j] = dot(A, i * n + i, A, rj + i, n - i);
        }
      }
    }
    for (let r = 0; r < R; r++) {
      const i = i0 + r;
      for (let j = i0; j <= i; j++) out[r * n + j] = dot(A, i * n + i, A, j * n + i, n - i);
    }
    // Written after the whole block is computed: the block's U entries (t ≥ i) are still needed above.
    for (let r = 0; r < R; r++) {
      const ri = (i0 + r) * n;
      for (let j = 0; j <= i0 + r; j++) A[ri + j] = out[r * n + j];
    }
    report('ease:product', i0);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
}

/**
 * EASE (Steck 2019): B = I − P·diag(1/diag P) with P = (G + λI)⁻¹, so B[i][j] = −P[i][j] / P[j][j] and
 * B[j][j] = 0. Overwrites G (m×m Gram matrix) with B; scores are x_u·B.
 */
export function easeFromGram(G: Float64Array, m: number, lambda: number, onProgress?: ProgressFn): Float64Array {
  for (let a = 0; a < m; a++) G[a * m + a] += lambda;
  invertSPD(G, m, onProgress);
  const diag = new Float64Array(m);
  for (let b = 0; b < m; b++) diag[b] = G[b * m + b];
  for (let a = 0; a < m; a++) {
    const ra = a * m;
    for (let b = 0; b < m; b++) G[ra + b] = a === b ? 0 : -G[ra + b] / diag[b];
  }
  return G;
}

// ---------------------------------------------------------------------------------------------
// Indexing shared by the model and the baselines

export interface EncodedInteractions {
  itemIds: string[];
  itemIndex: Map<string, number>;
  userIds: string[];
  userIndex: Map<string, number>;
  /** User → items with value max kind weight (binary for purchases), the CF input matrix X. */
  userItems: Csr;
  /** Item → users (Xᵀ). */
  itemUsers: Csr;
}

/** Sorted ids, so the index does not depend on the order rows arrive from the DB. */
function indexOf(ids: Iterable<string>): { list: string[]; index: Map<string, number> } {
  const list = [...new Set(ids)].sort();
  const index = new Map<string, number>();
  list.forEach((id, i) => index.set(id, i));
  return { list, index };
}

/** Build the item/user index and the user-item matrix X (value = max kind weight of the pair). */
export function encodeInteractions(
  interactions: readonly Interaction[],
  kindWeights: Record<InteractionKind, number> = DEFAULT_TRAIN_OPTIONS.kindWeights,
  decay?: { now: number; halfLifeDays: number },
): EncodedInteractions {
  const items = indexOf(interactions.map((e) => e.item));
  const users = indexOf(interactions.map((e) => e.user));
  const nI = items.list.length;
  // Max kind weight per (user, item): key u·nI + i.
  const best = new Map<number, number>();
  for (const e of interactions) {
    const key = users.index.get(e.user)! * nI + items.index.get(e.item)!;
    let w = kindWeights[e.kind] ?? 0;
    if (decay) w *= 2 ** (-Math.max(0, decay.now - e.at) / (decay.halfLifeDays * DAY));
    if (w > (best.get(key) ?? 0)) best.set(key, w);
  }
  const keys = [...best.keys()].sort((a, b) => a - b);
  const rows = new Uint32Array(keys.length),
    cols = new Uint32Array(keys.length),
    vals = new Float32Array(keys.length);
  keys.forEach((key, t) => {
    rows[t] = Math.floor(key / nI);
    cols[t] = key % nI;
    vals[t] = best.get(key)!;
  });
  const userItems = csrFromTriplets(users.list.length, rows, cols, vals, keys.length);
  return {
    itemIds: items.list,
    itemIndex: items.index,
    userIds: users.list,
    userIndex: users.index,
    userItems,
    itemUsers: transposeCsr(userItems, nI),
  };
}

/** Item indexes ordered by number of users (desc), then index. */
export function itemsByUserCount(enc: EncodedInteractions): number[] {
  const n = enc.itemIds.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const cnt = (i: number) => enc.itemUsers.offsets[i + 1] - enc.itemUsers.offsets[i];
  return order.sort((a, b) => cnt(b) - cnt(a) || a - b);
}

/** Dense Gram matrix XᵀX restricted to `items` (local order), m×m row-major. */
export function gramMatrix(enc: EncodedInteractions, items: readonly number[]): Float64Array {
  const n = enc.itemIds.length;
  const m = items.length;
  const local = new Int32Array(n).fill(-1);
  items.forEach((i, a) => (local[i] = a));
  const G = new Float64Array(m * m);
  const { offsets, idx, val } = enc.userItems;
  const li = new Int32Array(n);
  const lv = new Float64Array(n);
  for (let u = 0; u + 1 < offsets.length; u++) {
    let c = 0;
    for (let p = offsets[u]; p < offsets[u + 1]; p++) {
      const a = local[idx[p]];
      if (a >= 0) {
        li[c] = a;
        lv[c] = val[p];
        c++;
      }
    }
    for (let s = 0; s < c; s++) {
      const ra = li[s] * m,
        vs = lv[s];
      for (let t = 0; t < c; t++) G[ra + li[t]] += vs * lv[t];
    }
  }
  return G;
}

// ---------------------------------------------------------------------------------------------
// Model pieces

/** Cosine ItemKNN rows: sim(i,j) = G[i][j] / sqrt(G[i][i]·G[j][j]), top-N per item (self excluded). */
export function cosineNeighbours(
  enc: EncodedInteractions,
  topN: number,
  onProgress?: ProgressFn,
  only?: (i: number) => boolean,
): Array<Array<{ i: number; v: number }>> {
  const n = enc.itemIds.length;
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = enc.itemUsers.offsets[i]; p < enc.itemUsers.offsets[i + 1]; p++) s += enc.itemUsers.val[p] ** 2;
    norm[i] = Math.sqrt(s);
  }
  const acc = new Float64Array(n);
  const touched = new Uint32Array(n);
  const top = new TopK(topN);
  const rows: Array<Array<{ i: number; v: number }>> = [];
  for (let i = 0; i < n; i++) {
    rows.push([]);
    if (only && !only(i)) continue;
    const nt = cooccurrenceRow(i, enc.itemUsers, enc.userItems, acc, touched);
    top.reset();
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      if (j !== i && acc[j] > 0) top.push(j, acc[j] / (norm[i] * norm[j]));
      acc[j] = 0;
    }
    rows[i] = top.sorted();
    if (onProgress && (i % 500 === 0 || i === n - 1)) onProgress('cosine', i + 1, n);
  }
  return rows;
}

/**
 * CF neighbours of every item. EASE rows (positive weights, top-N) for the `maxEaseItems` most frequent
 * items; cosine rows, rescaled to EASE's magnitude, for the rest (or for all when similarity = 'cosine').
 */
function buildNeighbours(enc: EncodedInteractions, p: ModelParams, onProgress?: ProgressFn): SparseRows {
  const n = enc.itemIds.length;
  if (p.similarity === 'cosine' || n === 0) return sparseFromLists(cosineNeighbours(enc, p.neighbours, onProgress));
  const easeItems = itemsByUserCount(enc).slice(0, Math.min(p.maxEaseItems, n));
  const m = easeItems.length;
  const inEase = new Uint8Array(n);
  for (const i of easeItems) inEase[i] = 1;
  const B = easeFromGram(gramMatrix(enc, easeItems), m, p.easeLambda, onProgress);
  const rows: Array<Array<{ i: number; v: number }>> = Array.from({ length: n }, () => []);
  const top = new TopK(p.neighbours);
  for (let a = 0; a < m; a++) {
    top.reset();
    const ra = a * m;
    for (let b = 0; b < m; b++) if (B[ra + b] > 0) top.push(easeItems[b], B[ra + b]);
    rows[easeItems[a]] = top.sorted();
  }
  if (m < n) {
    // Tail items: cosine rows scaled so the average top weight matches EASE's (keeps the blend balanced).
    const cos = cosineNeighbours(enc, p.neighbours, undefined, (i) => !inEase[i]);
    const meanTop = (lists: Array<Array<{ i: number; v: number }>>) => {
      let s = 0,
        c = 0;
      for (const l of lists)
        if (l.length) {
          s += l[0].v;
          c++;
        }
      return c ? s / c : 1;
    };
    const scale = meanTop(rows.filter((_, i) => inEase[i])) / meanTop(cos.filter((_, i) => !inEase[i]));
    for (let i = 0; i < n; i++) if (!inEase[i]) rows[i] = cos[i].map((e) => ({ i: e.i, v: e.v * scale }));
  }
  return sparseFromLists(rows);
}

interface Baskets {
  /** Basket → distinct items (value 1). */
  basketItems: Csr;
  itemBaskets: Csr;
}

/**
 * Complements from purchase baskets: lift(i,j) = c(i,j)·|B| / (c(i)·c(j)); the score log(lift)·c/(c+5)
 * damps pairs seen in only a few baskets. Pairs need lift > 1 and c ≥ minCoBaskets.
 */
function buildComplements(b: Baskets, nItems: number, p: ModelParams, onProgress?: ProgressFn): SparseRows {
  const nB = b.basketItems.offsets.length - 1;
  const support = new Float64Array(nItems);
  for (let i = 0; i < nItems; i++) support[i] = b.itemBaskets.offsets[i + 1] - b.itemBaskets.offsets[i];
  const acc = new Float64Array(nItems);
  const touched = new Uint32Array(nItems);
  const top = new TopK(p.complements);
  const rows: Array<Array<{ i: number; v: number }>> = [];
  for (let i = 0; i < nItems; i++) {
    top.reset();
    const nt = support[i] >= p.minCoBaskets ? cooccurrenceRow(i, b.itemBaskets, b.basketItems, acc, touched) : 0;
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const c = acc[j];
      acc[j] = 0;
      if (j === i || c < p.minCoBaskets) continue;
      const lift = (c * nB) / (support[i] * support[j]);
      if (lift > 1) top.push(j, Math.log(lift) * (c / (c + 5)));
    }
    rows.push(top.sorted());
    if (onProgress && (i % 500 === 0 || i === nItems - 1)) onProgress('complements', i + 1, nItems);
  }
  return sparseFromLists(rows);
}

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
