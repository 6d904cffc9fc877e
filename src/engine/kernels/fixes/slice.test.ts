import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, onCpu, randInt, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Float64-free reference: slicing only moves values, so compare exactly against an index walk. */
function referenceSlice(x: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const total = size.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    let offset = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      offset += (begin[d] + (rem % size[d])) * strides[d];
      rem = Math.floor(rem / size[d]);
    }
    out.push(x[offset]);
  }
  return out;
}

describe('wasm Slice, SplitV and Unpack', () => {
  it('slice matches an index-walk reference over random ranks, begins and sizes', async () => {
    const r = rng(9);
    const before = tf.memory().numDataBuffers;
    for (let trial = 0; trial < 80; trial++) {
      const shape = Array.from({ length: randInt(r, 1, 5) }, () => randInt(r, 1, 5));
      const begin = shape.map((d) => randInt(r, 0, d - 1));
      const size = shape.map((d, i) => randInt(r, 0, d - begin[i]));
      const xVals = randomValues(r, shape.reduce((a, b) => a * b, 1));
      const dtype = trial % 5 === 0 ? 'int32' : 'float32';
      const values = dtype === 'int32' ? Int32Array.from(xVals, (v) => Math.round(v * 100)) : xVals;
      const x = tf.tensor(values, shape, dtype);
      const out = tf.slice(x, begin, size);
      expect(out.shape).toEqual(size);
      expect(out.dtype).toBe(dtype);
      expect(Array.from(await out.data()), `${shape} ${begin} ${size}`).toEqual(referenceSlice(values, shape, begin, size));
      tf.dispose([x, out]);
    }
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('split matches the cpu backend on every axis, with and without given sizes', async () => {
    const r = rng(10);
    const xVals = randomValues(r, 4 * 6 * 5);
    for (let axis = 0; axis < 3; axis++) {
      const dim = [4, 6, 5][axis];
      const sizes = [1, dim - 1];
      const run = async (how: number | number[]) => {
        const x = tf.tensor(xVals, [4, 6, 5]);
        const parts = tf.split(x, how, axis);
        const out = await Promise.all(parts.map(async (p) => ({ shape: p.shape, values: await p.data() })));
        tf.dispose([x, ...parts]);
        return out;
      };
      for (const how of [sizes, dim === 5 ? 5 : 2]) {
        const onWasm = await run(how);
        const onCpuBackend = await onCpu(() => run(how));
        expect(onWasm.map((p) => p.shape)).toEqual(onCpuBackend.map((p) => p.shape));
        onWasm.forEach((p, i) => expectClose(p.values, onCpuBackend[i].values, 0, `axis ${axis} part ${i}`));
      }
    }
  });

  it('unstack matches the cpu backend on every axis, and its gradient flows', async () => {
    const r = rng(12);
    const xVals = randomValues(r, 3 * 4 * 5);
    for (let axis = -1; axis < 3; axis++) {
      const run = async () => {
        const x = tf.tensor(xVals, [3, 4, 5]);
        const parts = tf.unstack(x, axis);
        const out = await Promise.all(parts.map(async (p) => ({ shape: p.shape, values: await p.data() })));
        tf.dispose([x, ...parts]);
        return out;
      };
      const onWasm = await run();
      const onCpuBackend = await onCpu(run);
      expect(onWasm.map((p) => p.shape)).toEqual(onCpuBackend.map((p) => p.shape));
      onWasm.forEach((p, i) => expectClose(p.values, onCpuBackend[i].values, 0, `axis ${axis} part ${i}`));
    }
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.unstack(t, 1)[1], 3)))(x);
    expect(Array.from(await g.data())).toEqual([0, 3, 0, 3]);
    tf.dispose([x, g]);
  });

  it('gradients flow through slice and split', async () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const g = tf.grad((t: tf.Tensor) => {
      const [left, right] = tf.split(t, [1, 2], 1);
      return tf.add(tf.sum(tf.mul(left, 2)), tf.sum(tf.slice(right, [1, 0], [1, 2])));
    })(x);
    expect(Array.from(await g.data())).toEqual([2, 0, 0, 2, 1, 1]);
    tf.dispose([x, g]);
  });
});
