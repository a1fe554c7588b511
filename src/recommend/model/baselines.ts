// Reference recommenders for the offline benchmark: Pop, BuyAgain, ItemKNN (cosine) and EASE.
// They read the same interactions as the hybrid and use a binary user-item matrix (max kind weight).
import { type EncodedInteractions, encodeInteractions, gramMatrix, itemsByUserCount } from './encode.js';
import { easeFromGram } from './linalg.js';
import { cosineNeighbours } from './neighbours.js';
import { TopK } from './sparse.js';
import type { Interaction, ProgressFn } from './types.js';

export interface Baseline {
  name: string;
  /** Top-k item ids for a user, best first, never returning an item of `exclude`. */
  recommend(user: string, k: number, exclude?: ReadonlySet<string>): string[];
}

/** Walk a ranked list, skipping excluded items, until k are taken. */
function takeK(ranked: readonly string[], k: number, exclude?: ReadonlySet<string>, out: string[] = []): string[] {
  for (const id of ranked) {
    if (out.length >= k) break;
    if (!exclude?.has(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/** Most popular items by number of distinct buyers in the training period. */
export function popBaseline(
  train: readonly Interaction[],
  enc: EncodedInteractions = encodeInteractions(train),
): Baseline & { ranked: string[] } {
  const ranked = itemsByUserCount(enc).map((i) => enc.itemIds[i]);
  return { name: 'Pop', ranked, recommend: (_user, k, exclude) => takeK(ranked, k, exclude) };
}

/**
 * The user's past items by frequency (distinct baskets, or distinct timestamps without basket ids), ties by
 * recency. With `fillWithPop`, short lists are completed with popular items.
 */
export function buyAgainBaseline(train: readonly Interaction[], opts: { fillWithPop?: boolean } = {}): Baseline {
  const perUser = new Map<string, Map<string, { baskets: Set<string>; last: number }>>();
  for (const e of train) {
    let items = perUser.get(e.user);
    if (!items) perUser.set(e.user, (items = new Map()));
    let s = items.get(e.item);
    if (!s) items.set(e.item, (s = { baskets: new Set(), last: -Infinity }));
    s.baskets.add(e.basket ?? String(e.at));
    if (e.at > s.last) s.last = e.at;
  }
  const ranked = new Map<string, string[]>();
  for (const [user, items] of perUser) {
    ranked.set(
      user,
      [...items]
        .sort((a, b) => b[1].baskets.size - a[1].baskets.size || b[1].last - a[1].last || (a[0] < b[0] ? -1 : 1))
        .map((e) => e[0]),
    );
  }
  const pop = opts.fillWithPop ? popBaseline(train).ranked : [];
  return {
    name: opts.fillWithPop ? 'BuyAgain+Pop' : 'BuyAgain',
    recommend(user, k, exclude) {
      const out = takeK(ranked.get(user) ?? [], k, exclude);
      return opts.fillWithPop ? takeK(pop, k, exclude, out) : out;
    },
  };
}

/** Score a user as Σ over their items of a sparse/dense item row, then take the top k. */
function scoreByRows(
  enc: EncodedInteractions,
  addRow: (i: number, x: number, acc: Float64Array) => void,
  name: string,
  popRank: Float64Array,
): Baseline {
  const n = enc.itemIds.length;
  const acc = new Float64Array(n);
  return {
    name,
    recommend(user, k, exclude) {
      const u = enc.userIndex.get(user);
      acc.fill(0);
      if (u !== undefined) {
        const { offsets, idx, val } = enc.userItems;
        for (let p = offsets[u]; p < offsets[u + 1]; p++) addRow(idx[p], val[p], acc);
      }
      const top = new TopK(Math.min(n, k + (exclude?.size ?? 0)));
      // Tiny popularity term: users without signal still get a (popularity-ordered) list.
      for (let j = 0; j < n; j++) top.push(j, acc[j] + 1e-12 * popRank[j]);
      return takeK(
        top.sorted().map((e) => enc.itemIds[e.i]),
        k,
        exclude,
      );
    },
  };
}

function popularityVector(enc: EncodedInteractions): Float64Array {
  const n = enc.itemIds.length;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = enc.itemUsers.offsets[i + 1] - enc.itemUsers.offsets[i];
  return v;
}

/** ItemKNN: cosine item-item similarity, `neighbours` kept per item (0 = all). */
export function itemKnnBaseline(
  train: readonly Interaction[],
  opts: { neighbours?: number; enc?: EncodedInteractions } = {},
): Baseline {
  const enc = opts.enc ?? encodeInteractions(train);
  const n = enc.itemIds.length;
  const K = opts.neighbours && opts.neighbours > 0 ? opts.neighbours : n;
  const rows = cosineNeighbours(enc, K);
  return scoreByRows(
    enc,
    (i, x, acc) => {
      for (const e of rows[i]) acc[e.i] += x * e.v;
    },
    `ItemKNN(k=${opts.neighbours || 'all'})`,
    popularityVector(enc),
  );
}

/** EASE with a dense B over the `maxItems` most frequent items (others are never recommended). */
export function easeBaseline(
  train: readonly Interaction[],
  opts: { lambda: number; maxItems?: number; enc?: EncodedInteractions; onProgress?: ProgressFn },
): Baseline {
  const enc = opts.enc ?? encodeInteractions(train);
  const n = enc.itemIds.length;
  const items = itemsByUserCount(enc).slice(0, Math.min(n, opts.maxItems ?? 3000));
  const m = items.length;
  const local = new Int32Array(n).fill(-1);
  items.forEach((i, a) => (local[i] = a));
  const B = easeFromGram(gramMatrix(enc, items), m, opts.lambda, opts.onProgress);
  return scoreByRows(
    enc,
    (i, x, acc) => {
      const a = local[i];
      if (a < 0) return;
      const ra = a * m;
      for (let b = 0; b < m; b++) acc[items[b]] += x * B[ra + b];
    },
    `EASE(λ=${opts.lambda})`,
    popularityVector(enc),
  );
}
