// The kernels a GPT training step uses give the same numbers on webgpu as on cpu.
// Runs over any adapter, software ones included (scripts/setup-lavapipe.sh installs one);
// skips with the reason when no adapter can be had. Own file: the backend is process-global.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseWebgpu, tryWebgpu, webgpuDeviceError } from '../../src/engine/runtime/backend-webgpu.js';
import { pseudoRandom, runOn, useBackend, worstError } from './helpers.js';

const probe = await tryWebgpu(true);
const title = probe.ok ? `webgpu kernels on ${probe.adapter?.vendor} ${probe.adapter?.device}` : `webgpu kernels (skipped: ${probe.detail})`;

/** Runs fn on cpu and on webgpu and checks every output agrees. */
async function agree(fn: () => tf.Tensor | tf.Tensor[], atol = 1e-4, rtol = 1e-3): Promise<void> {
  const want = await runOn('cpu', fn);
  const got = await runOn('webgpu', fn);
  expect(webgpuDeviceError()).toBeNull();
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got[i].length).toBe(want[i].length);
    expect(worstError(got[i], want[i], atol, rtol), `output ${i}`).toBeLessThanOrEqual(1);
  }
}

const t = (shape: number[], seed: number) => tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b, 1), seed), shape);

describe.skipIf(!probe.ok)(title, () => {
  afterAll(() => releaseWebgpu());

  it('reports the adapter it runs on', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(probe.adapter?.vendor).toBeTruthy();
    expect(probe.detail).toMatch(/^webgpu on /);
  });

  it('matMul, with transposes and batches', async () => {
    await agree(() => [
      tf.matMul(t([33, 70], 1), t([70, 20], 2)),
      tf.matMul(t([70, 33], 3), t([70, 20], 4), true, false),
      tf.matMul(t([33, 70], 5), t([20, 70], 6), false, true),
      tf.matMul(t([3, 2, 17, 8], 7), t([3, 2, 17, 8], 8), false, true),
    ]);
  });

  it('gather and its gradient (UnsortedSegmentSum) with repeated ids', async () => {
    await agree(() => {
      const table = t([11, 6], 9);
      const ids = tf.tensor1d([3, 0, 3, 10, 7, 3, 0], 'int32');
      const w = t([7, 6], 10);
      const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, ids), w));
      return [tf.gather(table, ids), tf.grad(f)(table)];
    });
  });

  it('softmax, logSumExp and a sparse cross-entropy gradient', async () => {
    await agree(() => {
      const logits = tf.mul(t([12, 29], 11), 4);
      const targets = tf.tensor1d([0, 5, 28, 3, 3, 9, 14, 1, 2, 27, 6, 7], 'int32');
      const ce = (x: tf.Tensor) => tf.mean(tf.sub(tf.logSumExp(x, 1), tf.sum(tf.mul(x, tf.oneHot(targets, 29)), 1)));
      const { value, grad } = tf.valueAndGrad(ce)(logits);
      return [tf.softmax(logits), tf.logSumExp(logits, 1), value, grad];
    });
  });

  it('layer norm and GELU, forward and backward', async () => {
    await agree(() => {
      const x = t([10, 32], 12);
      const gamma = tf.add(t([32], 13), 1);
      const upstream = t([10, 32], 14);
      const norm = (v: tf.Tensor, g: tf.Tensor) => {
        const { mean, variance } = tf.moments(v, -1, true);
        const y = tf.mul(tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, 1e-5))), g);
        const gelu = tf.mul(tf.mul(y, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(y, tf.mul(tf.mul(tf.mul(y, y), y), 0.044715)), Math.sqrt(2 / Math.PI)))));
        return tf.sum(tf.mul(gelu, upstream));
      };
      const [dx, dg] = tf.grads(norm)([x, gamma]);
      return [norm(x, gamma), dx, dg];
    }, 1e-3, 1e-3);
  });

  it('causal self-attention, forward and backward', async () => {
    await agree(() => {
      const [B, T, H, D] = [2, 8, 2, 4];
      const x = t([B * T, H * D], 15);
      const wqkv = tf.mul(t([H * D, 3 * H * D], 16), 0.5);
      // Lower-triangular mask as an additive bias, built on the device.
      const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
      const attend = (xs: tf.Tensor, w: tf.Tensor) => {
        const qkv = tf.reshape(tf.matMul(xs as tf.Tensor2D, w as tf.Tensor2D), [B, T, 3, H, D]);
        const [q, k, v] = tf.split(qkv, 3, 2).map((p) => tf.transpose(tf.reshape(p, [B, T, H, D]), [0, 2, 1, 3]));
        const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(D)), mask);
        const out = tf.matMul(tf.softmax(scores), v);
        return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * T, H * D]);
      };
      const loss = (xs: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(attend(xs, w)));
      const [dx, dw] = tf.grads(loss)([x, wqkv]);
      return [attend(x, wqkv), dx, dw];
    }, 1e-3, 1e-3);
  });

  it('addN of more inputs than a shader can bind (AdamW sums one norm term per weight)', async () => {
    await agree(() => [
      tf.addN(Array.from({ length: 15 }, (_, i) => t([5, 3], 30 + i))),
      tf.addN(Array.from({ length: 8 }, (_, i) => tf.scalar(i + 1))),
      tf.addN([t([4], 50), t([4], 51)]),
    ]);
  });

  it('topk and argMax for sampling', async () => {
    await agree(() => {
      const logits = t([3, 40], 17);
      const { values, indices } = tf.topk(logits, 5);
      return [values, tf.cast(indices, 'float32'), tf.cast(tf.argMax(logits, 1), 'float32')];
    });
  });

  it('keeps the tensor count flat over repeated gradient steps', async () => {
    await useBackend('webgpu');
    const w = tf.variable(t([16, 16], 18));
    const x = t([4, 16], 19);
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, w))), [w]);
      tf.tidy(() => w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01))));
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await step();
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([w, x]);
  });
});
