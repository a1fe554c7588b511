// Indexing shared by the model and the baselines: item and user ids to indexes, the user-item matrix, Gram matrices.
import { DAY, DEFAULT_TRAIN_OPTIONS } from './options.js';
import { type Csr, csrFromTriplets, transposeCsr } from './sparse.js';
import type { Interaction, InteractionKind } from './types.js';

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
