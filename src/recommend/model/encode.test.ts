import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeInteractions, gramMatrix, itemsByUserCount } from './encode.js';
import { cosineNeighbours } from './neighbours.js';
import type { Interaction } from './types.js';

const at = Date.UTC(2026, 0, 1);
const buy = (user: string, item: string, kind: Interaction['kind'] = 'purchase'): Interaction => ({
  user,
  item,
  weight: 1,
  at,
  kind,
});
const history = [
  buy('u2', 'b'),
  buy('u1', 'a'),
  buy('u1', 'b'),
  buy('u1', 'b', 'view'),
  buy('u3', 'a'),
  buy('u3', 'c', 'cart'),
  buy('u2', 'c', 'view'),
];

test('ids are indexed in sorted order, whatever order rows arrive in; a pair keeps its strongest kind', () => {
  const enc = encodeInteractions(history);
  const again = encodeInteractions([...history].reverse());
  assert.deepEqual(enc.itemIds, ['a', 'b', 'c']);
  assert.deepEqual(enc.userIds, ['u1', 'u2', 'u3']);
  assert.deepEqual([...again.userItems.val], [...enc.userItems.val]);
  const u1 = enc.userIndex.get('u1')!;
  const row = [...enc.userItems.idx.slice(enc.userItems.offsets[u1], enc.userItems.offsets[u1 + 1])];
  assert.deepEqual(row, [0, 1]);
  const w = (u: string, i: string) => {
    const r = enc.userIndex.get(u)!;
    for (let p = enc.userItems.offsets[r]; p < enc.userItems.offsets[r + 1]; p++)
      if (enc.itemIds[enc.userItems.idx[p]] === i) return enc.userItems.val[p];
    return 0;
  };
  assert.equal(w('u1', 'b'), 1, 'a purchase beats a view');
  assert.ok(Math.abs(w('u3', 'c') - 0.4) < 1e-6, 'a cart');
  assert.ok(Math.abs(w('u2', 'c') - 0.1) < 1e-6, 'a view');
});

test('the Gram matrix is XᵀX; items by how many users have them', () => {
  const enc = encodeInteractions(history);
  const items = itemsByUserCount(enc);
  assert.deepEqual(items, [0, 1, 2]); // every item has two users: by index
  const G = gramMatrix(enc, [2, 0]);
  const X = (u: number, i: number) => {
    for (let p = enc.userItems.offsets[u]; p < enc.userItems.offsets[u + 1]; p++)
      if (enc.userItems.idx[p] === i) return enc.userItems.val[p];
    return 0;
  };
  const local = [2, 0];
  for (let a = 0; a < 2; a++)
    for (let b = 0; b < 2; b++) {
      let s = 0;
      for (let u = 0; u < 3; u++) s += X(u, local[a]) * X(u, local[b]);
      assert.ok(Math.abs(G[a * 2 + b] - s) < 1e-6);
    }
});

test('cosine neighbours: sim(i, j) = G[i][j] / sqrt(G[i][i]·G[j][j]), best first, never itself', () => {
  const enc = encodeInteractions(history);
  const rows = cosineNeighbours(enc, 5);
  const G = gramMatrix(enc, [0, 1, 2]);
  for (let i = 0; i < 3; i++) {
    assert.ok(!rows[i].some((x) => x.i === i));
    for (const { i: j, v } of rows[i])
      assert.ok(Math.abs(v - G[i * 3 + j] / Math.sqrt(G[i * 3 + i] * G[j * 3 + j])) < 1e-6);
    for (let t = 1; t < rows[i].length; t++) assert.ok(rows[i][t - 1].v >= rows[i][t].v);
  }
});
