import { describe, expect, it } from 'vitest';
import { expSums, TopK, vocabPass } from '../../src/engine/exp-sums.js';
import { assembleProbsKernel } from '../../src/engine/kernels/simd/assemble.js';
import { PROBS_WASM } from '../../src/engine/kernels/simd/probs-wasm.js';

/** Deterministic logits: n values spread over `range` below 0, with -Infinity at `masked`. */
function logits(n: number, range: number, seed: number, masked: number[] = []): Float32Array {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const v = Float32Array.from({ length: n }, () => (r() - 0.9) * range);
  for (const i of masked) v[i] = -Infinity;
  return v;
}

const max = (v: Float32Array) => v.reduce((a, b) => Math.max(a, b), -Infinity);

describe('the exponential sums behind log Z and the entropy', () => {
  it('are assembled from the current probs.wat', async () => {
    expect(await assembleProbsKernel()).toBe(PROBS_WASM);
  });

  it("in SIMD match Math.exp's to float32 precision, at any length (tails, a vocabulary larger than the memory) and with masked logits", () => {
    // 1-9 cover the tails; 87 and 4001 the shipped vocabularies; 50257 needs more than the module's first page.
    for (const [n, masked] of [[1, []], [2, [1]], [3, []], [5, [0]], [9, [4, 8]], [87, [3]], [4001, [0]], [50257, [17, 50000]]] as const) {
      for (const range of [1, 20, 60]) {
        const v = logits(n, range, n + range, [...masked]);
        const top = max(v);
        // scale 1 / T: the model's own sums, and the sampler's at temperatures 0.5 and 1.7
        for (const scale of [1, 2, 1 / 1.7]) {
          const simd = expSums(v, top, scale);
          const js = expSums(v, top, scale, false);
          expect(simd.sum / js.sum - 1).toBeCloseTo(0, 6);
          // what the display uses: log Z - max and the entropy
          expect(Math.log(simd.sum)).toBeCloseTo(Math.log(js.sum), 6);
          expect(Math.log(simd.sum) - simd.weighted / simd.sum).toBeCloseTo(Math.log(js.sum) - js.weighted / js.sum, 6);
        }
      }
    }
  });

  it('a shorter call after a longer one reads only its own logits', () => {
    expSums(logits(5000, 20, 1), 0);
    const v = Float32Array.of(0, -1, -2);
    const e = [1, Math.exp(-1), Math.exp(-2)];
    expect(expSums(v, 0).sum).toBeCloseTo(e[0] + e[1] + e[2], 6);
    expect(expSums(v, 0).weighted).toBeCloseTo(-e[1] - 2 * e[2], 6);
  });

  it('the top candidates in SIMD are the plain sort\'s, ties to the lower id, at the tails and past the first page', () => {
    /** The k best by a full sort: value desc, id asc, finite only. */
    const sorted = (v: Float32Array, k: number) =>
      [...v.keys()].filter((i) => v[i] > -Infinity).sort((a, b) => v[b] - v[a] || a - b).slice(0, k);
    for (const [n, masked] of [[1, []], [2, [1]], [3, [0, 2]], [5, [0]], [9, [4, 8]], [87, [3]], [4001, [0]], [50257, [17, 50000]]] as const) {
      for (const k of [1, 5, 20]) {
        const v = logits(n, 20, n + k, [...masked]);
        // ties: copies of the largest value and of a middling one, at ids that straddle vector lanes
        if (n > 8) v[n - 1] = v[n - 2] = v[1] = max(v);
        if (n > 8) v[n - 3] = v[2] = v[6];
        const want = sorted(v, k);
        for (const useWasm of [true, false]) {
          const top = new TopK(k);
          const sums = vocabPass(v, top, useWasm);
          expect(top.ids.slice(0, top.filled)).toEqual(want);
          expect(top.logits.slice(0, top.filled)).toEqual(want.map((i) => v[i]));
          expect(sums.sum).toBeCloseTo(expSums(v, max(v), 1, false).sum, 3);
        }
      }
    }
  });
});
