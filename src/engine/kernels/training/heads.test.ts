import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitHeads } from '../../ops/split-heads.js';
import { JOIN_HEADS, SPLIT_HEADS } from './heads.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** The composite split (as the GPT does it without the kernel): reshape, transpose, split, scale q. */
function compositeHeads(qkv: tf.Tensor, B: number, T: number, H: number, hs: number, scale: number): tf.Tensor[] {
  const heads = tf.transpose(tf.reshape(qkv, [B, T, 3 * H, hs]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(heads, 3, 1);
  return [tf.mul(q, scale), k, v];
}

describe('wasm attention head kernels', () => {
  it('split qkv and join the gradients like the composite ops over random sizes', async () => {
    const r = rng(17);
    for (let trial = 0; trial < 12; trial++) {
      const [B, T, H, hs] = [randInt(r, 1, 3), randInt(r, 1, 6), randInt(r, 1, 4), 4 * randInt(r, 1, 4)];
      const scale = 1 / Math.sqrt(hs);
      const qkvValues = randomValues(r, B * T * 3 * H * hs);
      const weights = [0, 1, 2].map(() => randomValues(r, B * H * T * hs));
      const run = (split: (qkv: tf.Tensor) => tf.Tensor[]) =>
        tf.tidy(() => {
          const w = weights.map((v) => tf.tensor4d(v, [B, H, T, hs]));
          const f = (qkv: tf.Tensor) => tf.addN(split(qkv).map((t, i) => tf.sum(tf.mul(t, w[i])))) as tf.Scalar;
          const qkv = tf.tensor2d(qkvValues, [B * T, 3 * H * hs]);
          return [...split(qkv), tf.grad(f)(qkv)];
        });
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => run((qkv) => splitHeads(qkv, B, T, H, scale)!));
      const fused = info.result as tf.Tensor[];
      const kernels = [...info.kernelNames];
      const composite = run((qkv) => compositeHeads(qkv, B, T, H, hs, scale));
      expect(kernels).toContain(SPLIT_HEADS);
      expect(kernels).toContain(JOIN_HEADS);
      for (let i = 0; i < 4; i++) {
        expect(fused[i].shape).toEqual(composite[i].shape);
        expectClose(await fused[i].data(), await composite[i].data(), 1e-7, `output ${i}, B ${B} T ${T} H ${H} hs ${hs}`);
      }
      tf.dispose([...fused, ...composite]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('leave a head size not divisible by 4 to the composite ops', () => {
    const qkv = tf.zeros([2, 18]);
    expect(splitHeads(qkv, 1, 2, 2, 1)).toBeNull();
    qkv.dispose();
  });
});
