import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cooccurrenceRow, csrFromTriplets, sparseFromLists, TopK, transposeCsr } from './sparse.js';

const dense = (m: { offsets: Uint32Array; idx: Uint32Array; val: Float32Array }, nCols: number) =>
  Array.from({ length: m.offsets.length - 1 }, (_, r) => {
    const row = new Array(nCols).fill(0);
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) row[m.idx[p]] += m.val[p];
    return row;
  });

test('rows from triplets keep their order; the transpose is the transpose', () => {
  const m = csrFromTriplets(3, [2, 0, 2, 1], [1, 2, 0, 1], [5, 6, 7, 8], 4);
  assert.deepEqual([...m.offsets], [0, 1, 2, 4]);
  assert.deepEqual([...m.idx], [2, 1, 1, 0]);
  assert.deepEqual(dense(m, 3), [
    [0, 0, 6],
    [0, 8, 0],
    [7, 5, 0],
  ]);
  assert.deepEqual(dense(transposeCsr(m, 3), 3), [
    [0, 0, 7],
    [0, 8, 5],
    [6, 0, 0],
  ]);
});

test('co-occurrence through groups: acc[j] = Σ v(g,i)·v(g,j), touched once each', () => {
  // groups (rows) × items (cols)
  const groupItems = csrFromTriplets(2, [0, 0, 1, 1], [0, 1, 0, 2], [1, 2, 3, 1], 4);
  const itemGroups = transposeCsr(groupItems, 3);
  const acc = new Float64Array(3);
  const touched = new Uint32Array(3);
  const n = cooccurrenceRow(0, itemGroups, groupItems, acc, touched);
  assert.deepEqual([...touched.slice(0, n)].sort(), [0, 1, 2]);
  assert.deepEqual([...acc], [1 * 1 + 3 * 3, 1 * 2, 3 * 1]);
});

test('TopK keeps the largest values, ties to the smaller index, best first', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 60 }),
      fc.integer({ min: 0, max: 10 }),
      (values, k) => {
        const top = new TopK(k);
        values.forEach((v, i) => top.push(i, v));
        const expected = values
          .map((v, i) => ({ i, v }))
          .sort((a, b) => b.v - a.v || a.i - b.i)
          .slice(0, k);
        assert.deepEqual(top.sorted(), expected);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});

test('sparse rows from best-first lists', () => {
  const s = sparseFromLists([
    [{ i: 3, v: 0.5 }],
    [],
    [
      { i: 1, v: 2 },
      { i: 0, v: 1 },
    ],
  ]);
  assert.deepEqual([...s.offsets], [0, 1, 1, 3]);
  assert.deepEqual([...s.idx], [3, 1, 0]);
  assert.deepEqual([...s.val], [0.5, 2, 1]);
});
