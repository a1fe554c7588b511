// Sparse rows (CSR): building, transposing, co-occurrence counts, and a fixed-capacity top-k selection.
import type { SparseRows } from './types.js';

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
export function sparseFromLists(lists: Array<Array<{ i: number; v: number }>>): SparseRows {
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
