import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../runtime/gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
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

describe('with a loss mask (conversations: assistant tokens only)', () => {
  const logits = tf.mul(tf.randomNormal([6, 9], 0, 1, 'float32', 7), 3) as tf.Tensor2D;
  const mask = tf.tensor1d([0, 1, 1, 0, 1, 0], 'float32');
  /** -sum(mask * log p[target]) / sum(mask), differentiated by tfjs itself. */
  const maskedReference = (x: tf.Tensor2D, targets: tf.Tensor1D) =>
    tf.div(tf.neg(tf.sum(tf.mul(mask, tf.sum(tf.mul(tf.oneHot(targets, 9), tf.logSoftmax(x)), 1)))), tf.sum(mask)) as tf.Scalar;
  const grad = (f: (x: tf.Tensor2D) => tf.Scalar) => tf.grad((x: tf.Tensor) => tf.mul(f(x as tf.Tensor2D), 3))(logits);

  it('is the mean over the counted rows, with the reference gradient', async () => {
    const targets = tf.tensor1d([0, 8, 3, 3, 5, 1], 'int32');
    await close(sparseCrossEntropy(logits, targets, mask), maskedReference(logits, targets), 1e-5);
    await close(grad((x) => sparseCrossEntropy(x, targets, mask)), grad((x) => maskedReference(x, targets)), 1e-6);
  });

  it('ignores the targets of uncounted rows: same value, same gradient, and zero gradient on those rows', async () => {
    const targets = tf.tensor1d([0, 8, 3, 3, 5, 1], 'int32');
    const otherPrompt = tf.tensor1d([7, 8, 3, 0, 5, 4], 'int32');
    await close(sparseCrossEntropy(logits, targets, mask), sparseCrossEntropy(logits, otherPrompt, mask), 1e-12);
    const g = grad((x) => sparseCrossEntropy(x, targets, mask));
    await close(g, grad((x) => sparseCrossEntropy(x, otherPrompt, mask)), 1e-12);
    const rows = (await g.array()) as number[][];
    for (const r of [0, 3, 5]) expect(rows[r].every((v) => v === 0)).toBe(true);
    expect(rows[1].some((v) => v !== 0)).toBe(true);
  });

  it('is 0 with no counted rows, and refuses a mask of the wrong length in one line', async () => {
    const targets = tf.tensor1d([0, 8, 3, 3, 5, 1], 'int32');
    expect((await sparseCrossEntropy(logits, targets, tf.zeros([6]) as tf.Tensor1D).data())[0]).toBe(0);
    expect(() => sparseCrossEntropy(logits, targets, tf.ones([5]) as tf.Tensor1D)).toThrow('the loss mask has 5 entries but logits have 6 rows');
  });
});
