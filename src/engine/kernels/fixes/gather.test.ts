import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randInt, randomValues, rng, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
/** Reference: for each outer index, each picked index, copy the inner run. */
function referenceGather(x: ArrayLike<number>, shape: number[], ids: ArrayLike<number>, axis: number): number[] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < inner; j++) out.push(x[(b * shape[axis] + ids[i]) * inner + j] + 0);
    }
  }
  return out;
}

describe('wasm GatherV2', () => {
  it('matches a reference and the stock kernel over random shapes, axes and index shapes', async () => {
    const r = rng(31);
    for (let trial = 0; trial < 40; trial++) {
      const shape = Array.from({ length: randInt(r, 1, 4) }, () => randInt(r, 1, 6));
      const axis = randInt(r, 0, shape.length - 1);
      const idsShape = Array.from({ length: randInt(r, 1, 2) }, () => randInt(r, 0, 5));
      const ids = Int32Array.from({ length: idsShape.reduce((a, b) => a * b, 1) }, () => randInt(r, 0, shape[axis] - 1));
      const dtype = trial % 3 === 0 ? 'int32' : 'float32';
      const values = randomValues(r, shape.reduce((a, b) => a * b, 1)).map((v) => (dtype === 'int32' ? Math.round(v * 100) + 0 : v));
      const run = async () => {
        const out = tf.tidy(() => tf.gather(tf.tensor(values, shape, dtype), tf.tensor(ids, idsShape, 'int32'), axis));
        const result = { shape: out.shape, dtype: out.dtype, values: Array.from(await out.data()) };
        out.dispose();
        return result;
      };
      const fixed = await run();
      const stock = await withStockKernels(() => run());
      const expectedShape = [...shape.slice(0, axis), ...idsShape, ...shape.slice(axis + 1)];
      expect(fixed.shape, `trial ${trial}`).toEqual(expectedShape);
      expect(fixed.dtype).toBe(dtype);
      expect(fixed.values, `trial ${trial}`).toEqual(referenceGather(values, shape, ids, axis));
      expect(stock).toEqual(fixed);
    }
  });

  it('rejects an index outside the axis with a one-line error', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const ids = tf.tensor1d([0, 2], 'int32');
    expect(() => tf.gather(x, ids)).toThrow('GatherV2: the index value 2 is not in [0, 1]');
    tf.dispose([x, ids]);
  });
});
