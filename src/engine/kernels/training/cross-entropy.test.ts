import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sparseCrossEntropy } from '../../training/loss.js';
import { XENT_GRAD, XENT_LOSS } from './cross-entropy.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
/** Loss and gradient of 3 * loss, with the names of the kernels that ran. */
async function lossAndGrad(logits: Float32Array, N: number, V: number, targets: Int32Array, mask?: Float32Array) {
  let kernels: string[] = [];
  let values: Float32Array[] = [];
  const info = await tf.profile(async () => {
    const out = tf.tidy(() => {
      const f = (x: tf.Tensor) => tf.mul(sparseCrossEntropy(x as tf.Tensor2D, tf.tensor1d(targets, 'int32'), mask ? tf.tensor1d(mask) : undefined), 3) as tf.Scalar;
      const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(logits, [N, V]));
      return [value, grad];
    });
    values = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    tf.dispose(out);
    return tf.scalar(0);
  });
  kernels = [...info.kernelNames];
  tf.dispose(info.result as tf.Tensor);
  return { values, kernels };
}

describe('wasm softmax cross-entropy kernels', () => {
  it('match the composite loss and gradient over random sizes, including far-off targets', async () => {
    const r = rng(12);
    for (let trial = 0; trial < 28; trial++) {
      const N = randInt(r, 1, 9);
      const V = randInt(r, 1, 70);
      // Wide logits: some targets sit 100+ below the row maximum, where softmax underflows to 0.
      const spread = trial % 3 === 0 ? 120 : 4;
      const logits = randomValues(r, N * V).map((v) => v * spread);
      const targets = Int32Array.from({ length: N }, () => randInt(r, 0, V - 1));
      // Every other trial with a loss mask (a conversation's assistant tokens), sometimes all zero.
      const mask = trial % 2 === 1 ? Float32Array.from({ length: N }, () => randInt(r, 0, 1)) : undefined;
      const before = tf.memory().numTensors;
      const fused = await lossAndGrad(logits, N, V, targets, mask);
      expect(tf.memory().numTensors).toBe(before);
      const composite = await withStockKernels(() => lossAndGrad(logits, N, V, targets, mask));
      expect(fused.kernels).toContain(XENT_LOSS);
      expect(fused.kernels).toContain(XENT_GRAD);
      expect(composite.kernels).not.toContain(XENT_LOSS);
      expect(Number.isFinite(fused.values[0][0])).toBe(true);
      expectClose(fused.values[0], composite.values[0], 1e-5, `loss N=${N} V=${V}`);
      expectClose(fused.values[1], composite.values[1], 1e-5, `gradient N=${N} V=${V}`);
    }
  });

  it('rejects a target outside the vocabulary in one line', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const targets = tf.tensor1d([0, 3], 'int32');
    expect(() => sparseCrossEntropy(logits, targets)).toThrow('target id 3 is outside the vocabulary of 3');
    tf.dispose([logits, targets]);
  });
});
