// Model pieces: item neighbours (EASE or cosine ItemKNN) and lift-based basket complements.
import { type EncodedInteractions, gramMatrix, itemsByUserCount } from './encode.js';
import { easeFromGram } from './linalg.js';
import { type Csr, cooccurrenceRow, sparseFromLists, TopK } from './sparse.js';
import type { ModelParams, ProgressFn, SparseRows } from './types.js';

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
export function buildNeighbours(enc: EncodedInteractions, p: ModelParams, onProgress?: ProgressFn): SparseRows {
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

export interface Baskets {
  /** Basket → distinct items (value 1). */
  basketItems: Csr;
  itemBaskets: Csr;
}

/**
 * Complements from purchase baskets: lift(i,j) = c(i,j)·|B| / (c(i)·c(j)); the score log(lift)·c/(c+5)
 * damps pairs seen in only a few baskets. Pairs need lift > 1 and c ≥ minCoBaskets.
 */
export function buildComplements(b: Baskets, nItems: number, p: ModelParams, onProgress?: ProgressFn): SparseRows {
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
