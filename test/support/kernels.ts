/** Shared by the kernel tests: a seeded RNG, the wasm backend with or without fixes, and float64 references. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '../../src/engine/runtime/backend.js';
import { loadNativeBlas } from '../../src/engine/kernels/native-blas.js';
import { useNativeBlas } from '../../src/engine/kernels/native-matmul.js';
import { installWasmKernelFixes, uninstallWasmKernelFixes } from '../../src/engine/kernels/index.js';

/** The wasm backend as the app runs it: fixes installed, gradients registered, tfjs quiet. */
export async function useWasmWithFixes(): Promise<void> {
  await initBackend('wasm');
}

/** The matmul paths to test: always the pure-JS kernels, plus the native BLAS where it loads. */
export const kernelModes: Array<'pure-js' | 'native'> = loadNativeBlas().blas ? ['pure-js', 'native'] : ['pure-js'];

/** Route products (and leading sums) through the native BLAS or not. Call after useWasmWithFixes. */
export function useKernelMode(mode: 'pure-js' | 'native'): void {
  useNativeBlas(mode === 'native' ? loadNativeBlas().blas : null);
}

/** Run f on the cpu backend (tensors move between backends on access), then come back to wasm. */
export async function onCpu<T>(f: () => Promise<T>): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return await f();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randomValues(r: () => number, n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r() * 2 - 1;
  return v;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (Math.abs(actual[i] - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${e}`);
    }
  }
}

/** Float64 batched matmul with numpy broadcasting over the batch dims: the reference for BatchMatMul. */
export function referenceMatMul(a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], ta: boolean, tb: boolean) {
  return referenceMatMulWithGrads(a, aShape, b, bShape, ta, tb, null);
}

/**
 * The product, and when `weights` (shaped like the output) is given, the float64 gradients of sum(weights * a@b)
 * with respect to a and b, summed over broadcast batches.
 */
export function referenceMatMulWithGrads(
  a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], ta: boolean, tb: boolean, weights: ArrayLike<number> | null,
) {
  const ar = aShape.length;
  const br = bShape.length;
  const m = ta ? aShape[ar - 1] : aShape[ar - 2];
  const k = ta ? aShape[ar - 2] : aShape[ar - 1];
  const n = tb ? bShape[br - 2] : bShape[br - 1];
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const pa = [...Array(rank - outerA.length).fill(1), ...outerA];
  const pb = [...Array(rank - outerB.length).fill(1), ...outerB];
  const outer = pa.map((d, i) => Math.max(d, pb[i]));
  const batch = outer.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batch * m * n);
  const da = new Float64Array(a.length);
  const db = new Float64Array(b.length);
  const index = new Array<number>(rank).fill(0);
  const flat = (shape: number[]) => shape.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : index[i]), 0);
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi;
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
    }
    const aOff = flat(pa) * m * k;
    const bOff = flat(pb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        const w = weights ? weights[bi * m * n + i * n + j] : 0;
        for (let p = 0; p < k; p++) {
          const ai = aOff + (ta ? p * m + i : i * k + p);
          const bj = bOff + (tb ? j * k + p : p * n + j);
          s += a[ai] * b[bj];
          da[ai] += w * b[bj];
          db[bj] += w * a[ai];
        }
        out[bi * m * n + i * n + j] = s;
      }
    }
  }
  return { values: out, shape: [...outer, m, n], da, db };
}

/** `fn` on the stock wasm kernels (fixes off); the fixes come back afterwards, also when `fn` throws. */
export async function withStockKernels<T>(fn: () => Promise<T>): Promise<T> {
  uninstallWasmKernelFixes();
  try {
    return await fn();
  } finally {
    installWasmKernelFixes();
  }
}

/** `run` with the kernel fixes installed (checking it leaves the tensor count flat), then on the stock kernels. */
export async function fusedAndComposite<T>(run: () => Promise<T>): Promise<{ fused: T; composite: T }> {
  const before = tf.memory().numTensors;
  const fused = await run();
  expect(tf.memory().numTensors).toBe(before);
  return { fused, composite: await withStockKernels(run) };
}
