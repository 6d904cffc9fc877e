import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmSequence } from '../../models/lstm-sequence.js';
import { LSTM_BACKWARD, LSTM_FORWARD, LSTM_KERNELS } from './lstm-kernels.js';
import { expectClose, kernelModes, randInt, randomValues, rng, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Run f with the fused LSTM kernels taken away (the composite per-step ops run instead). */
async function withoutLstmKernels<T>(f: () => Promise<T>): Promise<T> {
  const configs = Object.keys(LSTM_KERNELS).map((name) => tf.getKernel(name, 'wasm')!);
  for (const c of configs) tf.unregisterKernel(c.kernelName, 'wasm');
  try {
    return await f();
  } finally {
    for (const c of configs) tf.registerKernel(c);
  }
}

/** The layer's output and the gradients of sum(weights * output) for xw and U, with the kernels that ran. */
async function layer(xw: Float32Array, U: Float32Array, weights: Float32Array, T: number, B: number, H: number) {
  let values: Float32Array[] = [];
  const info = await tf.profile(async () => {
    const out = tf.tidy(() => {
      const w = tf.tensor2d(weights, [T * B, H]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(lstmSequence(a as tf.Tensor2D, b as tf.Tensor2D, T, B), w));
      const x = tf.tensor2d(xw, [T * B, 4 * H]);
      const u = tf.tensor2d(U, [H, 4 * H]);
      return [lstmSequence(x, u, T, B), ...tf.grads(f)([x, u])];
    });
    values = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    tf.dispose(out);
    return tf.scalar(0);
  });
  const kernels = [...info.kernelNames];
  tf.dispose(info.result as tf.Tensor);
  return { values, kernels };
}

describe.each(kernelModes)('wasm fused LSTM layer kernels (%s products)', (mode) => {
  beforeAll(() => useKernelMode(mode));

  it('match the composite per-step ops in value and both gradients (1e-5) over random sizes', async () => {
    const r = rng(mode === 'native' ? 41 : 42);
    for (let trial = 0; trial < 8; trial++) {
      const [T, B, H] = [randInt(r, 1, 7), randInt(r, 1, 5), 4 * randInt(r, 1, 5)];
      const xw = randomValues(r, T * B * 4 * H).map((v) => v * 3);
      const U = randomValues(r, H * 4 * H).map((v) => v * 0.8);
      const weights = randomValues(r, T * B * H);
      const before = tf.memory().numTensors;
      const fused = await layer(xw, U, weights, T, B, H);
      expect(tf.memory().numTensors).toBe(before);
      const composite = await withoutLstmKernels(() => layer(xw, U, weights, T, B, H));
      expect(fused.kernels).toContain(LSTM_FORWARD);
      expect(fused.kernels).toContain(LSTM_BACKWARD);
      expect(composite.kernels).not.toContain(LSTM_FORWARD);
      ['h', 'dxw', 'dU'].forEach((what, i) => expectClose(fused.values[i], composite.values[i], 1e-5, `${what} T=${T} B=${B} H=${H}`));
    }
  });

  it('leave a hidden size that is not a multiple of 4 to the composite ops', async () => {
    const r = rng(43);
    const [T, B, H] = [3, 2, 6];
    const run = await layer(randomValues(r, T * B * 4 * H), randomValues(r, H * 4 * H), randomValues(r, T * B * H), T, B, H);
    expect(run.kernels).not.toContain(LSTM_FORWARD);
    expect(run.values[0].length).toBe(T * B * H);
  });
});
