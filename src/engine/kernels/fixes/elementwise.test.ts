import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

describe('wasm Tanh via sigmoid', () => {
  it('matches Math.tanh within 1e-6 over small, large and extreme inputs, and its gradient', async () => {
    const r = rng(6);
    // Big enough for the sigmoid path (small inputs keep the stock kernel).
    const values = Float32Array.from([...randomValues(r, 5000)].map((v, i) => v * [1e-4, 1, 5, 40][i % 4]));
    values.set([0, -0, 1e-30, 88, -88, 1e6, -1e6], 0);
    const x = tf.tensor(values, [50, 100]);
    const y = tf.tanh(x);
    expectClose(await y.data(), Array.from(values, Math.tanh), 1e-6, 'tanh');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x);
    expectClose(await g.data(), Array.from(values, (v) => 1 - Math.tanh(v) ** 2), 1e-6, 'd tanh');
    const before = tf.memory().numDataBuffers;
    tf.dispose(tf.tanh(x));
    expect(tf.memory().numDataBuffers).toBe(before);
    tf.dispose([x, y, g]);
  });
});

describe('wasm Exp via sigmoids', () => {
  it('matches Math.exp in relative terms across the float32 range, and its gradient', async () => {
    const r = rng(13);
    // Within |x| < 86; beyond, float32 exp is within a few x of under/overflow and gives 0 / Infinity here.
    const values = Float32Array.from(randomValues(r, 6000), (v) => v * 86);
    values.set([0, -0, 1e-30, 1, -1, 86, -86], 0);
    const x = tf.tensor(values, [60, 100]);
    const y = await tf.exp(x).data();
    const expected = Array.from(values, Math.exp);
    for (let i = 0; i < y.length; i++) {
      if (Math.abs(y[i] - expected[i]) > 2e-6 * expected[i]) throw new Error(`exp(${values[i]}) = ${y[i]}, expected ${expected[i]}`);
    }
    const g = await tf.grad((t: tf.Tensor) => tf.sum(tf.exp(tf.mul(t, 0.01))))(x).data();
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - 0.01 * Math.exp(0.01 * values[i]))).toBeLessThan(1e-8 + 2e-6 * g[i]);
    const extremes = await tf.exp(tf.tensor(Float32Array.from({ length: 4096 }, (_, i) => [-200, 200, 0, Number.NaN][i % 4]))).data();
    expect(Array.from(extremes.slice(0, 4))).toEqual([0, Infinity, 1, Number.NaN]);
  });
});

describe('wasm Identity without a copy', () => {
  it('clones share data safely: each side lives on after the other is disposed', async () => {
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor([1, 2, 3]);
    const c = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1, 2, 3]);
    const v = tf.variable(c);
    c.dispose();
    const doubled = tf.mul(v, 2);
    v.assign(doubled);
    doubled.dispose();
    expect(Array.from(await v.data())).toEqual([2, 4, 6]);
    v.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });
});
