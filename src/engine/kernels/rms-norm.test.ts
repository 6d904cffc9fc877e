import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rmsNorm, rmsNormComposite, rmsNormReference } from '../ops/rms-norm.js';
import { RMS_NORM } from './rms-norm.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

describe('fused RMSNorm kernel', () => {
  it('matches a float64 reference and the composite ops over random shapes, value and gradients', async () => {
    const r = rng(33);
    for (let trial = 0; trial < 12; trial++) {
      const [rows, D] = [randInt(r, 1, 7), randInt(r, 1, 70)];
      const eps = trial % 2 ? 1e-5 : 1e-6;
      const xv = Float32Array.from(randomValues(r, rows * D), (v) => v * (trial % 3 === 0 ? 20 : 1));
      const wv = randomValues(r, D);
      const weights = tf.tensor2d(randomValues(r, rows * D), [rows, D]);
      const x = tf.variable(tf.tensor2d(xv, [rows, D]));
      const w = tf.variable(tf.tensor1d(wv));
      const before = tf.memory().numTensors;
      const run = (f: typeof rmsNorm) => tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x, w, eps), weights)) as tf.Scalar, [x, w]);
        return [f(x, w, eps), grads[x.name], grads[w.name]];
      });
      const fused = run(rmsNorm);
      const composite = run(rmsNormComposite);
      const [fv, cv] = [await Promise.all(fused.map((t) => t.data())), await Promise.all(composite.map((t) => t.data()))];
      expectClose(fv[0], rmsNormReference(xv, D, wv, eps), 1e-5, `trial ${trial} value`);
      fv.forEach((values, i) => expectClose(values, cv[i], 1e-5, `trial ${trial} output ${i} vs composite`));
      tf.dispose([...fused, ...composite]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, weights]);
    }
  });

  it('is what rmsNorm uses on wasm, and refuses a weight of the wrong size in one line', async () => {
    const x = tf.ones([2, 4]) as tf.Tensor2D;
    const w = tf.ones([4]);
    const info = await tf.profile(() => rmsNorm(x, w, 1e-5));
    expect(info.kernelNames).toEqual([RMS_NORM]);
    const bad = tf.ones([3]);
    expect(() => rmsNorm(x, bad, 1e-5)).toThrow('InklingRmsNorm: x must be float32 [..., 4] and weight [4]');
    tf.dispose([x, w, bad, info.result as tf.Tensor]);
  });
});
