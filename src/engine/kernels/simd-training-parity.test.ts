import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../models/index.js';
import { TEST_TRAIN, TINY_VOCAB, trainStep } from '../models/testkit.js';
import { AdamW } from '../optim.js';
import type { ModelConfig } from '../types.js';
import { ADAMW, TRAINING_KERNELS, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM_GRAD } from './simd-training.js';
import { useWasmWithFixes } from './test-helpers.js';

beforeAll(useWasmWithFixes);

/** Run f with only the fused training kernels taken away (the other fixes stay: wasm needs them to train). */
async function withoutTrainingKernels<T>(f: () => Promise<T>): Promise<T> {
  const configs = Object.keys(TRAINING_KERNELS).map((name) => tf.getKernel(name, 'wasm')!);
  for (const c of configs) tf.unregisterKernel(c.kernelName, 'wasm');
  try {
    return await f();
  } finally {
    for (const c of configs) tf.registerKernel(c);
  }
}

const GPT: ModelConfig = { arch: 'gpt', vocabSize: TINY_VOCAB.length, contextLength: 16, layers: 2, heads: 2, embedding: 36, dropout: 0 };

/** Losses of a few seeded AdamW steps of a tiny GPT (clipping and weight decay on), and the kernels of the last. */
async function losses(steps: number): Promise<{ losses: number[]; kernels: string[] }> {
  const model = createModel(GPT, 11);
  const opt = new AdamW(model.weights, TEST_TRAIN);
  const out: number[] = [];
  for (let s = 0; s < steps - 1; s++) out.push(await trainStep(model, opt, s));
  let last = 0;
  const info = await tf.profile(async () => {
    last = await trainStep(model, opt, steps - 1);
    return tf.scalar(0);
  });
  const kernels = [...info.kernelNames];
  tf.dispose(info.result as tf.Tensor);
  out.push(last);
  opt.dispose();
  model.dispose();
  return { losses: out, kernels };
}

describe('training through the fused SIMD kernels', () => {
  it('gives a tiny GPT the same loss curve as the composite ops, with a flat tensor count', async () => {
    const before = tf.memory().numTensors;
    const fused = await losses(6);
    expect(tf.memory().numTensors).toBe(before);
    const composite = await withoutTrainingKernels(() => losses(6));
    for (const name of [ADAMW, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM_GRAD]) {
      expect(fused.kernels).toContain(name);
      expect(composite.kernels).not.toContain(name);
    }
    expect(fused.losses.every(Number.isFinite)).toBe(true);
    fused.losses.forEach((l, i) => expect(Math.abs(l - composite.losses[i]), `step ${i}`).toBeLessThan(1e-4));
  });
});
