import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../models/index.js';
import { TEST_TRAIN, TINY_VOCAB, trainStep } from '#test/support/training.js';
import { AdamW } from '../../training/optim.js';
import type { ModelConfig } from '../../types.js';
import { CROSS_ENTROPY_KERNELS, XENT_GRAD } from './cross-entropy.js';
import { HEADS_KERNELS, JOIN_HEADS } from './heads.js';
import { LSTM_BACKWARD, LSTM_KERNELS } from './lstm-kernels.js';
import { ADAMW, TRAINING_KERNELS, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM_GRAD, TRAIN_SOFTMAX_GRAD } from './simd-training.js';
import { useWasmWithFixes } from '#test/support/kernels.js';

beforeAll(useWasmWithFixes);

/** Run f with only the fused training kernels taken away (the other fixes stay: wasm needs them to train). */
async function withoutTrainingKernels<T>(f: () => Promise<T>): Promise<T> {
  const names = [TRAINING_KERNELS, LSTM_KERNELS, CROSS_ENTROPY_KERNELS, HEADS_KERNELS].flatMap((group) => Object.keys(group));
  const configs = names.map((name) => tf.getKernel(name, 'wasm')!);
  for (const c of configs) tf.unregisterKernel(c.kernelName, 'wasm');
  try {
    return await f();
  } finally {
    for (const c of configs) tf.registerKernel(c);
  }
}

const GPT: ModelConfig = { arch: 'gpt', vocabSize: TINY_VOCAB.length, contextLength: 16, layers: 2, heads: 2, embedding: 32, dropout: 0 };
const LSTM: ModelConfig = { arch: 'lstm', vocabSize: TINY_VOCAB.length, embedding: 12, hidden: 20, layers: 2, dropout: 0 };

/** Losses of a few seeded AdamW steps of a tiny model (clipping and weight decay on), and the kernels of the last. */
async function losses(config: ModelConfig, steps: number): Promise<{ losses: number[]; kernels: string[] }> {
  const model = createModel(config, 11);
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
  it.each([
    ['GPT', GPT, [ADAMW, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM_GRAD, TRAIN_SOFTMAX_GRAD, XENT_GRAD, JOIN_HEADS]],
    ['2-layer LSTM', LSTM, [ADAMW, LSTM_BACKWARD, XENT_GRAD]],
  ] as const)('gives a tiny %s the same loss curve as the composite ops, with a flat tensor count', async (_, config, used) => {
    const before = tf.memory().numTensors;
    const fused = await losses(config, 6);
    expect(tf.memory().numTensors).toBe(before);
    const composite = await withoutTrainingKernels(() => losses(config, 6));
    for (const name of used) {
      expect(fused.kernels).toContain(name);
      expect(composite.kernels).not.toContain(name);
    }
    expect(fused.losses.every(Number.isFinite)).toBe(true);
    fused.losses.forEach((l, i) => expect(Math.abs(l - composite.losses[i]), `step ${i}`).toBeLessThan(1e-4));
  });
});
