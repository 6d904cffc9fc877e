import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gelu } from '../../ops/gelu.js';
import { layerNorm } from '../../ops/layer-norm.js';
import { softmax } from '../../ops/softmax.js';
import { AdamW } from '../../training/optim.js';
import type { NamedWeight, TrainConfig } from '../../types.js';
import { ADAMW, TRAIN_GELU, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM, TRAIN_LAYER_NORM_GRAD, TRAIN_SOFTMAX_GRAD } from './simd-training.js';
import { assembleTrainingKernels } from '../simd/assemble.js';
import { TRAINING_WASM } from '../simd/training-wasm.js';
import { expectClose, randInt, randomValues, rng, useWasmWithFixes, withStockKernels } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);
/** The value of f and the names of the kernels it ran (tf.profile reuses one object per call: copy out). */
async function profiled<T>(f: () => Promise<T>): Promise<{ value: T; kernels: string[] }> {
  let value: T | undefined;
  const info = await tf.profile(async () => {
    value = await f();
    return tf.scalar(0);
  });
  tf.dispose(info.result as tf.Tensor);
  return { value: value as T, kernels: [...info.kernelNames] };
}

/** f on the fused kernels, then on the composite path (fixes off). */
async function bothWays<T>(f: () => Promise<T>): Promise<{ fused: T; composite: T; fusedKernels: string[]; compositeKernels: string[] }> {
  const fused = await profiled(f);
  const composite = await withStockKernels(() => profiled(f));
  return { fused: fused.value, composite: composite.value, fusedKernels: fused.kernels, compositeKernels: composite.kernels };
}

/** [rows, C], as the models use them. */
function randomShape(r: () => number): number[] {
  // Last axes of 1-9 and 126-131 cover the SIMD loops' tails (widths not divisible by 4).
  const last = r() < 0.5 ? randInt(r, 1, 9) : randInt(r, 126, 131);
  return [randInt(r, 1, 6), last];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A one-input op's output, and the value and gradient of a weighted sum of it, read back (for bothWays). */
function withGradient(op: (a: tf.Tensor) => tf.Tensor, x: Float32Array, weights: Float32Array, shape: number[]): () => Promise<Float32Array[]> {
  return async () => {
    const out = tf.tidy(() => {
      const w = tf.tensor(weights, shape);
      const { value, grad } = tf.valueAndGrad((a: tf.Tensor) => tf.sum(tf.mul(op(a), w)))(tf.tensor(x, shape));
      return [op(tf.tensor(x, shape)), value, grad];
    });
    const values = (await Promise.all(out.map((t) => t.data()))) as Float32Array[];
    tf.dispose(out);
    return values;
  };
}

describe('fused wasm training kernels', () => {
  it('are assembled from the current .wat files', async () => {
    expect(await assembleTrainingKernels()).toEqual(TRAINING_WASM);
  });

  it('LayerNorm: value and gradients match the composite op (1e-5) over random shapes, using the fused kernels', async () => {
    const r = rng(5);
    for (let trial = 0; trial < 16; trial++) {
      const shape = randomShape(r);
      const C = shape[shape.length - 1];
      const x = randomValues(r, size(shape)).map((v) => v * 3 + 0.5);
      const gamma = randomValues(r, C);
      const weights = randomValues(r, size(shape));
      const run = async () => {
        const grads = tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const w = tf.tensor(weights, shape);
          const f = (a: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, g as tf.Tensor1D, true), w));
          const { value, grads: [dx, dg] } = tf.valueAndGrads(f)([xt, tf.tensor1d(gamma)]);
          return [layerNorm(xt as tf.Tensor2D, tf.tensor1d(gamma), true), value, dx, dg];
        });
        const values = await Promise.all(grads.map((t) => t.data()));
        tf.dispose(grads);
        return values;
      };
      const { fused, composite, fusedKernels, compositeKernels } = await bothWays(run);
      expect(fusedKernels).toContain(TRAIN_LAYER_NORM);
      expect(fusedKernels).toContain(TRAIN_LAYER_NORM_GRAD);
      expect(compositeKernels).not.toContain(TRAIN_LAYER_NORM);
      ['y', 'value', 'dx', 'dgamma'].forEach((what, i) => expectClose(fused[i], composite[i], 1e-5, `${what} of shape ${shape}`));
    }
  });

  it('GELU: value and gradient match the composite op (1e-6) over random shapes and wide values', async () => {
    const r = rng(6);
    for (let trial = 0; trial < 16; trial++) {
      const shape = randomShape(r);
      const x = randomValues(r, size(shape)).map((v) => v * 8);
      const weights = randomValues(r, size(shape));
      const run = withGradient((a) => gelu(a, true), x, weights, shape);
      const { fused, composite, fusedKernels, compositeKernels } = await bothWays(run);
      expect(fusedKernels).toContain(TRAIN_GELU);
      expect(fusedKernels).toContain(TRAIN_GELU_GRAD);
      expect(compositeKernels).not.toContain(TRAIN_GELU_GRAD);
      ['y', 'value', 'dx'].forEach((what, i) => expectClose(fused[i], composite[i], 1e-6, `${what} of shape ${shape}`));
    }
  });

  it('softmax: value and gradient match the composite op (1e-6) over random shapes of rank 1-4', async () => {
    const r = rng(7);
    for (let trial = 0; trial < 16; trial++) {
      const shape = [...Array.from({ length: randInt(r, 0, 3) }, () => randInt(r, 1, 4)), randInt(r, 1, 70)];
      const x = randomValues(r, size(shape)).map((v) => v * 6);
      const weights = randomValues(r, size(shape));
      const run = withGradient((a) => softmax(a, true), x, weights, shape);
      const { fused, composite, fusedKernels, compositeKernels } = await bothWays(run);
      expect(fusedKernels).toContain(TRAIN_SOFTMAX_GRAD);
      expect(compositeKernels).not.toContain(TRAIN_SOFTMAX_GRAD);
      ['y', 'value', 'dx'].forEach((what, i) => expectClose(fused[i], composite[i], 1e-6, `${what} of shape ${shape}`));
    }
  });

  it('serve large inference LayerNorm and GELU calls (batched evaluation) too, matching the composite ops (1e-5)', async () => {
    const r = rng(9);
    const [rows, C] = [130, 128];
    const x = randomValues(r, rows * C).map((v) => v * 4);
    const gamma = randomValues(r, C);
    const run = async () => {
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const xt = tf.tensor2d(x, [rows, C]);
        return [layerNorm(xt, tf.tensor1d(gamma), false), gelu(xt, false)];
      });
      expect(tf.memory().numTensors).toBe(before + 2);
      const values = await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      return values;
    };
    const { fused, composite, fusedKernels } = await bothWays(run);
    expect(fusedKernels).toContain(TRAIN_LAYER_NORM);
    expect(fusedKernels).toContain(TRAIN_GELU);
    ['layerNorm', 'gelu'].forEach((what, i) => expectClose(fused[i], composite[i], 1e-5, what));
  });

  it('AdamW: weights and moments match the composite update (1e-6) with clipping, decay and odd sizes', async () => {
    const train: TrainConfig = {
      batchSize: 1, seqLength: 1, learningRate: 0.01, minLearningRate: 0.01, warmupSteps: 0, decaySteps: 0,
      weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 0.5, evalInterval: 1, evalBatches: 1,
    };
    const shapes = [[3, 5], [7], [2, 2, 3], [1], [13, 9]];
    const run = async (config: TrainConfig) => {
      const r = rng(8);
      const weights: NamedWeight[] = shapes.map((shape, i) => ({
        name: `w${i}`, group: 'g', decay: shape.length > 1, variable: tf.tidy(() => tf.variable(tf.tensor(randomValues(r, size(shape)), shape))),
      }));
      const optimizer = new AdamW(weights, config);
      for (let step = 0; step < 3; step++) {
        const grads = Object.fromEntries(weights.map((w) => [w.name, tf.tensor(randomValues(r, w.variable.size), w.variable.shape)]));
        optimizer.step(grads, 0.01 * (step + 1));
        tf.dispose(Object.values(grads));
      }
      const state = optimizer.getState();
      const values = await Promise.all([...weights.map((w) => w.variable.data()), ...Object.values(state.tensors).map((t) => t.data())]);
      tf.dispose([...weights.map((w) => w.variable), ...Object.values(state.tensors)]);
      optimizer.dispose();
      return values;
    };
    for (const config of [train, { ...train, gradClip: 0, weightDecay: 0 }, { ...train, gradClip: 100 }]) {
      const before = tf.memory().numTensors;
      const { fused, composite, fusedKernels, compositeKernels } = await bothWays(() => run(config));
      expect(tf.memory().numTensors).toBe(before);
      expect(fusedKernels).toContain(ADAMW);
      expect(compositeKernels).not.toContain(ADAMW);
      expect(fused.length).toBe(shapes.length * 3);
      fused.forEach((values, i) => expectClose(values, composite[i], 1e-6, `tensor ${i} (clip ${config.gradClip})`));
    }
  });

  it('AdamW updates the moments in place unless another tensor shares them, with the same values either way', async () => {
    const r = rng(9);
    const n = 37;
    const attrs = { decays: [true], gradClip: 0, beta1: 0.9, beta2: 0.99, lr: 0.01, weightDecay: 0.1, bc1: 0.1, bc2: 0.01, epsilon: 1e-8 };
    const [g0, w0, m0, v0] = [randomValues(r, n), randomValues(r, n), randomValues(r, n), randomValues(r, n).map(Math.abs)];
    const run = async (holdClone: boolean) => {
      const [g, w] = [tf.tensor1d(g0), tf.tensor1d(w0)];
      const [m, v] = tf.tidy(() => [tf.variable(tf.tensor1d(m0), false), tf.variable(tf.tensor1d(v0), false)]);
      const held = holdClone ? [m.clone(), v.clone()] : [];
      const [mo, vo, wo] = tf.engine().runKernel(ADAMW, { m, v, g0: g, w0: w }, attrs) as tf.Tensor[];
      const sameBuffers = mo.dataId === m.dataId && vo.dataId === v.dataId;
      const out = { sameBuffers, values: await Promise.all([mo.data(), vo.data(), wo.data()]), held: await Promise.all(held.map((t) => t.data())) };
      tf.dispose([g, w, m, v, mo, vo, wo, ...held]);
      return out;
    };
    const before = tf.memory().numTensors;
    const alone = await run(false);
    const shared = await run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(alone.sameBuffers).toBe(true);
    expect(shared.sameBuffers).toBe(false);
    // A holder of the old moments still sees them.
    expectClose(shared.held[0], m0, 0, 'held m');
    expectClose(shared.held[1], v0, 0, 'held v');
    // Plain AdamW, element by element (float64).
    for (let i = 0; i < n; i++) {
      const m = 0.9 * m0[i] + 0.1 * g0[i];
      const v = 0.99 * v0[i] + 0.01 * g0[i] * g0[i];
      const w = w0[i] * (1 - 0.01 * 0.1) - (0.01 * (m / 0.1)) / (Math.sqrt(v / 0.01) + 1e-8);
      for (const out of [alone, shared]) {
        expectClose([out.values[0][i], out.values[1][i], out.values[2][i]], [m, v, w], 1e-5, `element ${i}`);
      }
    }
  });
});
