import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, onCpu, randInt, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Float64 reference with TensorFlow semantics: ids outside [0, numSegments) are dropped. */
function referenceSegmentSum(x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number): Float64Array {
  const out = new Float64Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= numSegments) continue;
    for (let j = 0; j < inner; j++) out[ids[i] * inner + j] += x[i * inner + j];
  }
  return out;
}

describe('wasm UnsortedSegmentSum', () => {
  it('matches a float64 reference over random shapes and ids', async () => {
    const r = rng(21);
    for (let trial = 0; trial < 40; trial++) {
      const n = randInt(r, 0, 12);
      const innerShape = Array.from({ length: randInt(r, 0, 2) }, () => randInt(r, 1, 4));
      const inner = innerShape.reduce((a, b) => a * b, 1);
      const numSegments = randInt(r, 1, 8);
      const xVals = randomValues(r, n * inner);
      const ids = Int32Array.from({ length: n }, () => randInt(r, -1, numSegments));
      const out = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor(xVals, [n, ...innerShape]), tf.tensor1d(ids, 'int32'), numSegments));
      expect(out.shape).toEqual([numSegments, ...innerShape]);
      expectClose(await out.data(), referenceSegmentSum(xVals, ids, inner, numSegments), 1e-5, `trial ${trial}`);
      out.dispose();
    }
  });

  it('sums int32 values too', async () => {
    const out = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(out.dtype).toBe('int32');
    expect(Array.from(await out.data())).toEqual([5, 6, 4, 6]);
    out.dispose();
  });

  it('makes the gradient of gather (an embedding lookup) work and match the cpu backend', async () => {
    const r = rng(4);
    const tableVals = randomValues(r, 10 * 6);
    const idxVals = Int32Array.from({ length: 4 * 5 }, () => randInt(r, 0, 9));
    const run = async () => {
      const table = tf.tensor(tableVals, [10, 6]);
      const idx = tf.tensor(idxVals, [4, 5], 'int32');
      const w = tf.tidy(() => tf.reshape(tf.linspace(-1, 1, 4 * 5 * 6), [4, 5, 6]));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table);
      const values = await g.data();
      tf.dispose([table, idx, w, g]);
      return values;
    };
    const before = tf.memory().numDataBuffers;
    const onWasm = await run();
    expect(tf.memory().numDataBuffers).toBe(before);
    expectClose(onWasm, await onCpu(run), 1e-5, 'd table');
  });
});
