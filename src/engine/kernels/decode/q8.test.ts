// int8 weights: the quantiser's error bound, both q8 product paths (native AVX2/sgemm blocks and the plain JS
// loop) against a float64 product of the dequantised rows, and the gather.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, kernelModes, randomValues, rng, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';
import { Q8_GATHER_KERNEL, Q8_MATMUL_KERNEL, dequantizeRows, quantizeRows } from './q8.js';

describe('q8 quantisation', () => {
  it('keeps every value within half a step of its row scale, and zero rows at zero', () => {
    const r = rng(1);
    const rows = 7;
    const cols = 36;
    const values = randomValues(r, rows * cols);
    values.fill(0, 3 * cols, 4 * cols);
    const { packed, scale } = quantizeRows(values, rows, cols);
    const back = dequantizeRows(packed, scale, rows, cols);
    expect(scale[3]).toBe(0);
    for (let i = 0; i < values.length; i++) {
      const s = scale[Math.floor(i / cols)];
      expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(s / 2 + 1e-7);
    }
  });

  it('refuses rows that do not pack into whole int32s', () => {
    expect(() => quantizeRows(new Float32Array(6), 1, 6)).toThrow('multiple of 4');
  });
});

function reference(x: Float32Array, w: Float32Array, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i < k; i++) sum += x[r * k + i] * w[j * k + i];
    out[r * n + j] = sum;
  }
  return out;
}

describe.each(kernelModes)('InklingQ8MatMul (%s)', (mode) => {
  beforeAll(async () => {
    await useWasmWithFixes();
    useKernelMode(mode);
  });

  // m = 1 is decoding (a dot product per row); m > 1 a prompt (dequantised blocks of 64 rows through sgemm natively).
  it.each([
    [1, 70, 36],
    [1, 130, 64],
    [5, 130, 20],
    [3, 64, 576],
  ])('x [%i, k] . rows [n=%i, k=%i] matches the float64 product of the dequantised rows', async (m, n, k) => {
    const r = rng(m * 1000 + n + k);
    const x = randomValues(r, m * k);
    const { packed, scale } = quantizeRows(randomValues(r, n * k), n, k);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() =>
      tf.engine().runKernel(Q8_MATMUL_KERNEL, { x: tf.tensor2d(x, [m, k]), w: tf.tensor2d(packed, [n, k / 4], 'int32'), scale: tf.tensor1d(scale) }),
    ) as tf.Tensor;
    expect(out.shape).toEqual([m, n]);
    expectClose(await out.data(), reference(x, dequantizeRows(packed, scale, n, k), m, n, k), 1e-4, `q8 ${mode}`);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('InklingQ8Gather', () => {
  beforeAll(useWasmWithFixes);

  it('gives the dequantised rows of the ids, and refuses an id outside the table', async () => {
    const r = rng(9);
    const [V, d] = [11, 8];
    const { packed, scale } = quantizeRows(randomValues(r, V * d), V, d);
    const table = dequantizeRows(packed, scale, V, d);
    const ids = [3, 0, 10, 3];
    const w = tf.tensor2d(packed, [V, d / 4], 'int32');
    const s = tf.tensor1d(scale);
    const out = tf.engine().runKernel(Q8_GATHER_KERNEL, { w, scale: s, indices: tf.tensor1d(ids, 'int32') }) as tf.Tensor;
    expectClose(await out.data(), ids.flatMap((id) => [...table.slice(id * d, id * d + d)]), 1e-7, 'gather');
    expect(() => tf.engine().runKernel(Q8_GATHER_KERNEL, { w, scale: s, indices: tf.tensor1d([11], 'int32') })).toThrow('outside the vocabulary');
    tf.dispose([w, s, out]);
  });
});
