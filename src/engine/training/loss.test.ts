import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../runtime/gradients.js';
import { beforeAll, expect, it } from 'vitest';
import { sparseCrossEntropy } from './loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The textbook definition: -mean(sum(oneHot * logSoftmax)), differentiated by tfjs itself. */
function reference(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const hot = tf.oneHot(targets, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(hot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

async function close(a: tf.Tensor, b: tf.Tensor, tol: number): Promise<void> {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(tol);
}

it('matches the reference value and gradient', async () => {
  const logits = tf.mul(tf.randomNormal([6, 9], 0, 1, 'float32', 42), 4) as tf.Tensor2D;
  const targets = tf.tensor1d([0, 8, 3, 3, 5, 1], 'int32');
  await close(sparseCrossEntropy(logits, targets), reference(logits, targets), 1e-5);
  // A non-unit upstream gradient checks that dy is applied.
  const ours = tf.grad((x: tf.Tensor) => tf.mul(sparseCrossEntropy(x as tf.Tensor2D, targets), 3))(logits);
  const theirs = tf.grad((x: tf.Tensor) => tf.mul(reference(x as tf.Tensor2D, targets), 3))(logits);
  await close(ours, theirs, 1e-6);
});

it('is log(V) for uniform logits and stays finite for huge ones', async () => {
  const uniform = tf.zeros([4, 10]) as tf.Tensor2D;
  const targets = tf.tensor1d([1, 2, 3, 4], 'int32');
  expect((await sparseCrossEntropy(uniform, targets).data())[0]).toBeCloseTo(Math.log(10), 5);
  const huge = tf.tensor2d([[1000, -1000, 0]]);
  const loss = (await sparseCrossEntropy(huge, tf.tensor1d([1], 'int32')).data())[0];
  expect(loss).toBeCloseTo(2000, 2);
});

it('rejects targets that do not match the logits in one line', () => {
  expect(() => sparseCrossEntropy(tf.zeros([3, 4]) as tf.Tensor2D, tf.tensor1d([1, 2], 'int32'))).toThrow(
    'targets have 2 entries but logits have 3 rows',
  );
});
