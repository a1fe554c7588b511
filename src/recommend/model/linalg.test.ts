import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { easeFromGram, invertSPD } from './linalg.js';

/** A random symmetric positive-definite n×n matrix: BᵀB + n·I. */
function spd(values: number[], n: number): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += values[k * n + i] * values[k * n + j];
      A[i * n + j] = s + (i === j ? n : 0);
    }
  return A;
}

const product = (A: Float64Array, B: Float64Array, n: number) => {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
      C[i * n + j] = s;
    }
  return C;
};

test('the inverse of a known matrix', () => {
  // [[4, 2], [2, 3]]⁻¹ = 1/8 · [[3, -2], [-2, 4]]
  const A = new Float64Array([4, 2, 2, 3]);
  invertSPD(A, 2);
  assert.deepEqual(
    [...A].map((x) => Math.round(x * 1e12) / 1e12),
    [0.375, -0.25, -0.25, 0.5],
  );
});

test('A times its inverse is the identity, and the inverse is symmetric (any size, with and without the unrolled tail)', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 37 })
        .chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * n, maxLength: n * n }),
          ),
        ),
      ([n, values]) => {
        const A = spd(values, n);
        const inv = Float64Array.from(A);
        invertSPD(inv, n);
        const I = product(A, inv, n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            assert.ok(Math.abs(I[i * n + j] - (i === j ? 1 : 0)) < 1e-8, `(${i},${j}) of ${n}: ${I[i * n + j]}`);
            assert.equal(inv[i * n + j], inv[j * n + i]);
          }
      },
    ),
    { numRuns: 60, seed: 11 },
  );
});

test('progress is told as the inverse goes', () => {
  const seen: string[] = [];
  const A = spd(
    Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i)),
    64,
  );
  invertSPD(A, 64, (phase, done, total) => seen.push(`${phase} ${done}/${total}`));
  assert.ok(seen.length > 0);
});

test('EASE weights: zero diagonal, B = I − P·diag(1/diag P) with P = (G + λI)⁻¹', () => {
  const G = new Float64Array([2, 1, 0, 1, 3, 1, 0, 1, 2]);
  const lambda = 0.5;
  const P = Float64Array.from(G);
  for (let i = 0; i < 3; i++) P[i * 3 + i] += lambda;
  invertSPD(P, 3);
  const B = easeFromGram(Float64Array.from(G), 3, lambda);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      const expected = i === j ? 0 : -P[i * 3 + j] / P[j * 3 + j];
      assert.ok(Math.abs(B[i * 3 + j] - expected) < 1e-12);
    }
  // Items bought together weigh each other positively; 0 and 2 meet only through 1.
  assert.ok(B[0 * 3 + 1] > 0 && B[1 * 3 + 2] > 0);
});
