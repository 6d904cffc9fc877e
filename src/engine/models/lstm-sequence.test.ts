import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import '../runtime/gradients.js';
import { lstmSequence } from './lstm-sequence.js';
import { maxAbsDiff } from '#test/support/training.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The same layer step by step, differentiated by tfjs itself. */
function reference(xw: tf.Tensor2D, U: tf.Tensor2D, T: number, B: number): tf.Tensor {
  const hidden = U.shape[0];
  let h: tf.Tensor = tf.zeros([B, hidden]);
  let c: tf.Tensor = tf.zeros([B, hidden]);
  const out: tf.Tensor[] = [];
  for (const xt of T === 1 ? [xw] : tf.split(xw, T, 0)) {
    const [i, f, g, o] = tf.split(tf.add(xt, tf.matMul(h, U)), 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    out.push(h);
  }
  return tf.concat(out);
}

it.each([
  [1, 2, 3],
  [6, 3, 5],
])('matches step-by-step autodiff in value and gradients (T=%i, B=%i, hidden=%i)', async (T, B, H) => {
  const xw = tf.randomNormal([T * B, 4 * H], 0, 1, 'float32', 1) as tf.Tensor2D;
  const U = tf.randomNormal([H, 4 * H], 0, 0.6, 'float32', 2) as tf.Tensor2D;
  const upstream = tf.randomNormal([T * B, H], 0, 1, 'float32', 3);
  const loss = (f: typeof reference) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, T, B), upstream));
  const ours = [lstmSequence(xw, U, T, B), ...tf.grads(loss(lstmSequence))([xw, U])];
  const theirs = [reference(xw, U, T, B), ...tf.grads(loss(reference))([xw, U])];
  for (let k = 0; k < 3; k++) {
    const [a, b] = [await ours[k].data(), await theirs[k].data()];
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  }
  // Not vacuous: the recurrent gradient is non-zero once there is more than one step.
  if (T > 1) expect(maxAbsDiff(await theirs[2].data(), new Float32Array(H * 4 * H))).toBeGreaterThan(1e-3);
  tf.dispose([xw, U, upstream, ...ours, ...theirs]);
});

it('leaves no tensors behind, with or without a gradient tape', () => {
  const xw = tf.randomNormal([8, 16]) as tf.Tensor2D;
  const U = tf.randomNormal([4, 16]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  tf.dispose(lstmSequence(xw, U, 4, 2));
  tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(lstmSequence(a as tf.Tensor2D, b as tf.Tensor2D, 4, 2)))([xw, U]));
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([xw, U]);
});
