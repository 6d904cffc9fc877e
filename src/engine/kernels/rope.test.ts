import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rotaryTables, rotate, rotateComposite } from '../models/rope.js';
import { ROPE } from './rope.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Float64 reference, Hugging Face's apply_rotary_pos_emb: x cos + rotate_half(x) sin, x [rows of T, D]. */
function referenceRope(x: ArrayLike<number>, T: number, D: number, cos: ArrayLike<number>, sin: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  const half = D / 2;
  for (let r = 0; r < x.length / D; r++) {
    const t = r % T;
    for (let i = 0; i < D; i++) {
      const rotated = i < half ? -x[r * D + half + i] : x[r * D + i - half];
      out[r * D + i] = x[r * D + i] * cos[t * D + i] + rotated * sin[t * D + i];
    }
  }
  return out;
}

describe('fused rotary embedding kernel', () => {
  it('matches a float64 reference and the composite ops over random shapes and positions, value and gradient', async () => {
    const r = rng(21);
    for (let trial = 0; trial < 12; trial++) {
      const [B, n, T, D] = [randInt(r, 1, 2), randInt(r, 1, 4), randInt(r, 1, 9), 2 * randInt(r, 1, 8)];
      const start = randInt(r, 0, 50);
      const inv = rotaryTables.inverseFrequencies(D, 10000, trial % 2 ? { type: 'linear', factor: 2 } : null);
      const { cos, sin } = rotaryTables.at(inv, start, T);
      const xv = randomValues(r, B * n * T * D);
      const weights = tf.tensor4d(randomValues(r, xv.length), [B, n, T, D]);
      const x = tf.tensor4d(xv, [B, n, T, D]);
      const before = tf.memory().numTensors;
      const withGrad = (f: typeof rotate) => tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(xVar, cos, sin), weights)) as tf.Scalar, [xVar]);
        return [f(xVar, cos, sin), value, grads[xVar.name]];
      });
      const xVar = tf.variable(x);
      const fused = withGrad(rotate);
      const composite = withGrad(rotateComposite);
      const [fy, fg] = [await fused[0].data(), await fused[2].data()];
      const [cy, cg] = [await composite[0].data(), await composite[2].data()];
      expectClose(fy, referenceRope(xv, T, D, await cos.data(), await sin.data()), 1e-5, `trial ${trial} value`);
      expectClose(fy, cy, 1e-6, `trial ${trial} value vs composite`);
      expectClose(fg, cg, 1e-6, `trial ${trial} gradient vs composite`);
      tf.dispose([...fused, ...composite]);
      expect(tf.memory().numTensors).toBe(before + 1); // the variable
      tf.dispose([xVar, x, weights, cos, sin]);
    }
  });

  it('is what rotate uses on wasm', async () => {
    const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
    const { cos, sin } = rotaryTables.at(rotaryTables.inverseFrequencies(4, 10000, null), 0, 2);
    const info = await tf.profile(() => rotate(x, cos, sin));
    expect(info.kernelNames).toEqual([ROPE]);
    tf.dispose([x, cos, sin, info.result as tf.Tensor]);
  });

  it('refuses mismatched tables in one line', () => {
    const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
    const { cos, sin } = rotaryTables.at(rotaryTables.inverseFrequencies(4, 10000, null), 0, 3);
    expect(() => rotate(x, cos, sin)).toThrow('InklingRope: cos and sin must be [2, 4]');
    tf.dispose([x, cos, sin]);
  });
});
