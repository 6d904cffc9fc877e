import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerNorm } from '../../ops/layer-norm.js';
import { LAYER_NORM_KERNEL } from './layer-norm.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
/** Inference LayerNorm's values and the kernels it ran. */
async function runLayerNorm(x: Float32Array, shape: number[], gamma: Float32Array) {
  const info = await tf.profile(() =>
    tf.tidy(() => layerNorm(tf.tensor(x, shape) as unknown as tf.Tensor2D, tf.tensor1d(gamma), false)),
  );
  const out = info.result as tf.Tensor;
  const values = await out.data();
  expect(out.shape).toEqual(shape);
  out.dispose();
  return { values, kernels: info.kernelNames };
}

describe('wasm InklingLayerNorm', () => {
  it('matches the composite LayerNorm within 1e-5 over random shapes, in one kernel call', async () => {
    const r = rng(5);
    const shapes = [[1, 1], [1, 32], [3, 7], [2, 5, 16], [1, 1, 128], [4, 3, 2, 9]];
    for (let trial = 0; trial < 12; trial++) shapes.push(Array.from({ length: randInt(r, 2, 3) }, () => randInt(r, 1, 24)));
    for (const shape of shapes) {
      const C = shape[shape.length - 1];
      const x = randomValues(r, shape.reduce((a, b) => a * b, 1)).map((v) => v * 3 + 0.5);
      const gamma = randomValues(r, C);
      const fused = await runLayerNorm(x, shape, gamma);
      expect(fused.kernels).toContain(LAYER_NORM_KERNEL);
      const composite = await withStockKernels(() => runLayerNorm(x, shape, gamma));
      expect(composite.kernels).not.toContain(LAYER_NORM_KERNEL);
      expectClose(fused.values, composite.values, 1e-5, `shape ${shape}`);
    }
  });

  it('keeps the tensor count flat and leaves training on the composite path', async () => {
    const x = tf.randomNormal([2, 4, 8]) as unknown as tf.Tensor2D;
    const gamma = tf.ones([8]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    tf.tidy(() => layerNorm(x, gamma, false)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const training = await tf.profile(() => tf.tidy(() => layerNorm(x, gamma, true)));
    expect(training.kernelNames).not.toContain(LAYER_NORM_KERNEL);
    (training.result as tf.Tensor).dispose();
    tf.dispose([x, gamma]);
  });

  it('rejects a gamma of the wrong size in one line', () => {
    const x = tf.zeros([2, 4]);
    const gamma = tf.ones([3]);
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma }, { epsilon: 1e-5 })).toThrow(/gamma shape 3 must be \[4\]/);
    tf.dispose([x, gamma]);
  });
});
