import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, onCpu, randInt, randomValues, referenceMatMul, referenceMatMulWithGrads, rng, kernelModes, useKernelMode, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Random batch dims for a and b that broadcast: equal, 1, missing, or the general [2,1] x [1,3] case. */
function batchDims(r: () => number): [number[], number[]] {
  const rank = randInt(r, 0, 2);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = randInt(r, 1, 3);
    const kind = randInt(r, 0, 2);
    a.push(kind === 1 ? 1 : d);
    b.push(kind === 2 ? 1 : d);
  }
  const dropA = randInt(r, 0, a.length);
  const dropB = randInt(r, 0, b.length);
  return r() < 0.5 ? [a.slice(dropA), b] : [a, b.slice(dropB)];
}

/** a and b shapes for m x k times k x n, each stored transposed when its flag says so. */
function productShapes(outerA: number[], outerB: number[], [m, k, n]: number[], ta: boolean, tb: boolean): [number[], number[]] {
  return [[...outerA, ...(ta ? [k, m] : [m, k])], [...outerB, ...(tb ? [n, k] : [k, n])]];
}

/** Random values for the shapes; tf.matMul on them against the float64 reference, shape and values. */
async function expectProductMatches(r: () => number, aShape: number[], bShape: number[], ta: boolean, tb: boolean): Promise<void> {
  const aVals = randomValues(r, aShape.reduce((x, y) => x * y, 1));
  const bVals = randomValues(r, bShape.reduce((x, y) => x * y, 1));
  const expected = referenceMatMul(aVals, aShape, bVals, bShape, ta, tb);
  const out = tf.tidy(() => tf.matMul(tf.tensor(aVals, aShape), tf.tensor(bVals, bShape), ta, tb));
  const what = `${aShape} x ${bShape} ta=${ta} tb=${tb}`;
  expect(out.shape, what).toEqual(expected.shape);
  expectClose(await out.data(), expected.values, 1e-5, what);
  out.dispose();
}

describe.each(kernelModes)('wasm BatchMatMul fix (%s)', (mode) => {
  beforeAll(() => useKernelMode(mode));

  it('matches a float64 reference over random shapes, transposes and batch broadcasts', async () => {
    const r = rng(7);
    const before = tf.memory().numDataBuffers;
    for (let trial = 0; trial < 120; trial++) {
      const [outerA, outerB] = batchDims(r);
      const mkn = [randInt(r, 1, 9), randInt(r, trial % 17 === 0 ? 0 : 1, 9), randInt(r, 1, 9)];
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const [aShape, bShape] = productShapes(outerA, outerB, mkn, ta, tb);
      await expectProductMatches(r, aShape, bShape, ta, tb);
    }
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('matches the reference on batched products big enough for the per-batch fast path', async () => {
    const r = rng(8);
    const before = tf.memory().numDataBuffers;
    for (let trial = 0; trial < 12; trial++) {
      const [outerA, outerB] = batchDims(r);
      const mkn = [randInt(r, 1, 24), randInt(r, 8, 40), randInt(r, 8, 40)];
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const [aShape, bShape] = productShapes(outerA.length ? outerA : [2], outerB, mkn, ta, tb);
      await expectProductMatches(r, aShape, bShape, ta, tb);
    }
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('matches the reference on one-row products (every decoded token), batched or not, with any transposes', async () => {
    const r = rng(13);
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
      for (const outer of [[], [3]]) {
        const [k, n] = [randInt(r, 20, 70), randInt(r, 20, 90)];
        const [aShape, bShape] = productShapes(outer, outer, [1, k, n], ta, tb);
        await expectProductMatches(r, aShape, bShape, ta, tb);
      }
    }
  });

  it('gives float64-exact gradients over random shapes, transposes and batch broadcasts', async () => {
    const r = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const [outerA, outerB] = batchDims(r);
      const mkn = [randInt(r, 1, 6), randInt(r, 1, 6), randInt(r, 1, 6)];
      const ta = r() < 0.5;
      const tb = r() < 0.5;
      const [aShape, bShape] = productShapes(outerA, outerB, mkn, ta, tb);
      const aVals = randomValues(r, aShape.reduce((x, y) => x * y, 1));
      const bVals = randomValues(r, bShape.reduce((x, y) => x * y, 1));
      const outShape = referenceMatMul(aVals, aShape, bVals, bShape, ta, tb).shape;
      const wVals = randomValues(r, outShape.reduce((x, y) => x * y, 1));
      const expected = referenceMatMulWithGrads(aVals, aShape, bVals, bShape, ta, tb, wVals);
      const a = tf.tensor(aVals, aShape);
      const b = tf.tensor(bVals, bShape);
      const w = tf.tensor(wVals, outShape);
      // A weighted sum so every output element has its own gradient.
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w)))([a, b]);
      const what = `${aShape} x ${bShape} ta=${ta} tb=${tb}`;
      expect(da.shape, what).toEqual(aShape);
      expect(db.shape, what).toEqual(bShape);
      expectClose(await da.data(), expected.da, 1e-4, `dA ${what}`);
      expectClose(await db.data(), expected.db, 1e-4, `dB ${what}`);
      tf.dispose([a, b, w, da, db]);
    }
  });

  it('matches the cpu backend for tf.matMul(a, b, true, false) and its gradient', async () => {
    const r = rng(5);
    const aVals = randomValues(r, 7 * 5);
    const bVals = randomValues(r, 7 * 3);
    const run = async () => {
      const a = tf.tensor(aVals, [7, 5]);
      const b = tf.tensor(bVals, [7, 3]);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, true, false)));
      const { value, grads } = tf.valueAndGrads(f)([a, b]);
      const out = [await value.data(), await grads[0].data(), await grads[1].data()];
      tf.dispose([a, b, value, ...grads]);
      return out;
    };
    const onWasm = await run();
    const cpu = await onCpu(run);
    onWasm.forEach((v, i) => expectClose(v, cpu[i], 1e-4, ['value', 'dA', 'dB'][i]));
  });

  it('stays right when one tensor is the right-hand side under two shapes (a reshape shares its data)', async () => {
    const r = rng(3);
    const gVals = randomValues(r, 6);
    const x1Vals = randomValues(r, 3);
    const x2Vals = randomValues(r, 18);
    const g = tf.tensor(gVals, [6, 1]);
    const c1 = tf.matMul(tf.tensor(x1Vals, [3, 1]), tf.reshape(g, [1, 6]));
    const c2 = tf.matMul(tf.tensor(x2Vals, [3, 6]), g);
    expectClose(await c1.data(), referenceMatMul(x1Vals, [3, 1], gVals, [1, 6], false, false).values, 1e-5, 'as [1,6]');
    expectClose(await c2.data(), referenceMatMul(x2Vals, [3, 6], gVals, [6, 1], false, false).values, 1e-5, 'as [6,1]');
    tf.dispose([g, c1, c2]);
  });

  it('keeps the tensor count flat', async () => {
    const a = tf.randomNormal([3, 8, 6]);
    const b = tf.randomNormal([6, 5]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y)));
    const step = () => tf.tidy(() => tf.grads(f)([a, b]).map((g) => tf.sum(g)));
    tf.dispose(step());
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 3; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose([a, b]);
  });
});
