import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeBlas, nativeBlasDescription, probeNativeBlas } from './native-blas.js';
import { expectClose, kernelModes, randomValues, rng, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

describe('native BLAS loading', () => {
  it('is off with a one-line reason when INKLING_NATIVE=0', () => {
    expect(probeNativeBlas({ INKLING_NATIVE: '0' })).toEqual({ blas: null, note: 'native matmul off (INKLING_NATIVE=0)' });
  });

  it.skipIf(!loadNativeBlas().blas)('says which library is missing when the named one cannot be opened', () => {
    expect(probeNativeBlas({ INKLING_BLAS_LIBRARY: '/nonexistent/libcblas.so' }).note).toBe(
      'native matmul off: no BLAS library found (INKLING_BLAS_LIBRARY=/nonexistent/libcblas.so has no cblas_sgemm)',
    );
  });

  it('either loads and names its BLAS, or says in one line what is missing', () => {
    const { blas, note } = loadNativeBlas();
    if (blas) {
      expect(note).toBe('');
      expect(nativeBlasDescription()).toMatch(/\S/);
    } else {
      expect(note).toMatch(/^native matmul off: /);
      expect(note).not.toContain('\n');
    }
  });

  it.skipIf(!loadNativeBlas().blas)('refuses operands outside the heap instead of corrupting memory', () => {
    const blas = loadNativeBlas().blas!;
    const heap = new ArrayBuffer(64);
    expect(() => blas.gemm(heap, false, false, 2, 2, 2, Uint32Array.of(0), Uint32Array.of(16), Uint32Array.of(60))).toThrow(/outside the heap/);
    expect(() => blas.columnSums(heap, 4, 4, 8, 0)).toThrow(/outside the heap/);
  });
});

describe.each(kernelModes)('wasm Sum (%s)', (mode) => {
  beforeAll(() => useKernelMode(mode));

  it('sums over leading axes (bias gradients) and any other axes like a float64 reference', async () => {
    const r = rng(2);
    const shape = [3, 4, 5];
    const values = randomValues(r, 60);
    const x = tf.tensor(values, shape);
    const sumOver = (axes: number[]) => {
      const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = new Float64Array(keep.reduce((p, q) => p * q, 1));
      values.forEach((v, flat) => {
        const idx = [Math.floor(flat / 20), Math.floor(flat / 5) % 4, flat % 5];
        const o = idx.reduce((acc, id, i) => acc * keep[i] + (axes.includes(i) ? 0 : id), 0);
        out[o] += v;
      });
      return out;
    };
    for (const axes of [[0], [0, 1], [1], [2], [1, 2], [0, 2], [0, 1, 2]]) {
      for (const keepDims of [false, true]) {
        const out = tf.sum(x, axes, keepDims);
        const expectedShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
        expect(out.shape, `${axes} ${keepDims}`).toEqual(expectedShape);
        expectClose(await out.data(), sumOver(axes), 1e-5, `axes ${axes}`);
        out.dispose();
      }
    }
    x.dispose();
  });
});
