import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import '../runtime/gradients.js';
import { gelu, geluReference } from './gelu.js';
import { layerNorm, layerNormReference } from './layer-norm.js';
import { softmax, softmaxReference } from './softmax.js';
import { maxAbsDiff } from '#test/support/training.js';

/** Largest absolute difference of two tensors' values (disposes both). */
async function gap(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = maxAbsDiff(await a.data(), await b.data());
  tf.dispose([a, b]);
  return d;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The textbook forms, differentiated by tfjs itself. */
const referenceLayerNorm = (x: tf.Tensor2D, gamma: tf.Tensor1D) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma);
};
const referenceGelu = (x: tf.Tensor) => {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
};

describe('hand-differentiated building blocks', () => {
  it('layerNorm matches the autodiff reference in value and in both gradients', async () => {
    const x = tf.add(tf.mul(tf.randomNormal([6, 10], 0, 1, 'float32', 1), 3), 0.5) as tf.Tensor2D;
    const gamma = tf.randomNormal([10], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const upstream = tf.randomNormal([6, 10], 0, 1, 'float32', 3);
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor1D), upstream));
    const [dx, dg] = tf.grads(loss(layerNorm))([x, gamma]);
    const [rx, rg] = tf.grads(loss(referenceLayerNorm))([x, gamma]);
    expect(await gap(tf.abs(rx), tf.zerosLike(rx))).toBeGreaterThan(1e-2); // the check is not vacuous
    expect(await gap(layerNorm(x, gamma), referenceLayerNorm(x, gamma))).toBeLessThan(1e-5);
    expect(await gap(dx, rx)).toBeLessThan(1e-4);
    expect(await gap(dg, rg)).toBeLessThan(1e-4);
    tf.dispose([x, gamma, upstream]);
  });

  it('gelu matches the tanh form in value and gradient', async () => {
    const x = tf.mul(tf.randomNormal([50], 0, 1, 'float32', 4), 3);
    const upstream = tf.randomNormal([50], 0, 1, 'float32', 5);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(gelu(a), upstream)))(x);
    const rx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(referenceGelu(a), upstream)))(x);
    expect(await gap(gelu(x), referenceGelu(x))).toBeLessThan(1e-5);
    expect(await gap(dx, rx)).toBeLessThan(1e-5);
    tf.dispose([x, upstream]);
  });

  it('match their float64 references in value (layerNorm, gelu, softmax)', async () => {
    const x = tf.add(tf.mul(tf.randomNormal([5, 12], 0, 1, 'float32', 6), 4), 0.5) as tf.Tensor2D;
    const gamma = tf.randomNormal([12], 1, 0.3, 'float32', 7) as tf.Tensor1D;
    const [xs, gs] = [await x.data(), await gamma.data()];
    for (const training of [true, false]) {
      const ln = layerNorm(x, gamma, training);
      const g = gelu(x, training);
      const sm = softmax(x, training);
      expect(maxAbsDiff(await ln.data(), layerNormReference(xs, 12, gs))).toBeLessThan(1e-5);
      expect(maxAbsDiff(await g.data(), geluReference(xs))).toBeLessThan(1e-5);
      expect(maxAbsDiff(await sm.data(), softmaxReference(xs, 12))).toBeLessThan(1e-6);
      tf.dispose([ln, g, sm]);
    }
    tf.dispose([x, gamma]);
  });

  it('adds no tensors outside training (no saved copies without a tape)', () => {
    const x = tf.randomNormal([4, 8]) as tf.Tensor2D;
    const gamma = tf.ones([8]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    tf.dispose([layerNorm(x, gamma), gelu(x)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma]);
  });
});
