import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randInt, randomValues, rng, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

const stridesOf = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** Reference: out[i] = x[i mod shape], element by element. */
function referenceTile(x: ArrayLike<number>, shape: number[], reps: number[]): number[] {
  const outShape = shape.map((d, i) => d * reps[i]);
  const xs = stridesOf(shape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    for (let i = outShape.length - 1; i >= 0; i--) {
      src += ((rem % outShape[i]) % shape[i]) * xs[i];
      rem = Math.floor(rem / outShape[i]);
    }
    out.push(x[src] + 0);
  }
  return out;
}

async function valuesOf(f: () => tf.Tensor) {
  const out = tf.tidy(f);
  const result = { shape: out.shape, dtype: out.dtype, values: Array.from(await out.data()) };
  out.dispose();
  return result;
}

describe('wasm Tile by run copies', () => {
  it('Tile matches an element-by-element reference and the stock kernel, including the grouped-query mask', async () => {
    const r = rng(8);
    const cases: Array<[number[], number[]]> = [[[6, 8], [3, 1]], [[5], [3]], [[2, 4], [2, 3]], [[2, 1, 4], [1, 3, 2]], [[3, 5], [0, 2]]];
    for (let trial = 0; trial < 40; trial++) {
      const rank = randInt(r, 1, 4);
      const shape = Array.from({ length: rank }, () => randInt(r, 1, 5));
      if (trial % 2 === 0) shape[rank - 1] = randInt(r, 4, 9);
      cases.push([shape, Array.from({ length: rank }, () => randInt(r, 1, 3))]);
    }
    for (const [i, [shape, reps]] of cases.entries()) {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from(randomValues(r, n), (v) => (dtype === 'float32' ? v : dtype === 'int32' ? Math.round(v * 1000) : Number(v > 0)));
        const run = () => valuesOf(() => tf.tile(tf.tensor(values, shape, dtype), reps));
        const fixed = await run();
        expect(fixed.shape, `case ${i}`).toEqual(shape.map((d, j) => d * reps[j]));
        expect(fixed.values, `case ${i} ${dtype} ${shape} ${reps}`).toEqual(referenceTile(values, shape, reps));
        expect(await withStockKernels(run)).toEqual(fixed);
      }
    }
  });

  it('keeps tensor counts flat and sends gradients through', async () => {
    const x = tf.randomNormal([2, 3, 8]);
    const before = tf.memory().numTensors;
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(tf.transpose(t, [1, 0, 2]), [2, 1, 1]), tf.range(0, 96).reshape([6, 2, 8]))))(x);
    expect(g.shape).toEqual([2, 3, 8]);
    const expected = tf.tidy(() => tf.transpose(tf.add(tf.range(0, 48).reshape([3, 2, 8]), tf.range(48, 96).reshape([3, 2, 8])), [1, 0, 2]));
    expect(Array.from(await g.data())).toEqual(Array.from(await expected.data()));
    tf.dispose([g, expected]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
