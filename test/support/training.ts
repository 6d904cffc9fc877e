// Test helpers shared by the model tests: a tiny repetitive corpus and a plain training step.
import * as tf from '@tensorflow/tfjs-core';
import { sparseCrossEntropy } from '../../src/engine/training/loss.js';
import { AdamW } from '../../src/engine/training/optim.js';
import type { GptConfig, LanguageModel, TrainConfig } from '../../src/engine/types.js';
import { gradients } from '../../src/engine/models/index.js';

import { TINY_TEXT } from './corpus.js';

export { TINY_TEXT };
export const TINY_VOCAB = [...new Set(TINY_TEXT)].sort();
export const TINY_IDS = [...TINY_TEXT].map((ch) => TINY_VOCAB.indexOf(ch));

/** A two-layer GPT over TINY_VOCAB, small enough to train in a test. */
export const TINY_GPT: GptConfig = {
  arch: 'gpt',
  vocabSize: TINY_VOCAB.length,
  contextLength: 16,
  layers: 2,
  heads: 2,
  embedding: 32,
  dropout: 0,
};

export const TEST_TRAIN: TrainConfig = {
  batchSize: 8,
  seqLength: 16,
  learningRate: 2e-2,
  minLearningRate: 2e-2,
  warmupSteps: 0,
  decaySteps: 0,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1,
  evalInterval: 10,
  evalBatches: 1,
};

/** Deterministic batches of windows [B, T] and their next-token targets. */
export function batch(step: number, B: number, T: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let b = 0; b < B; b++) {
    const start = ((step * 7919 + b * 104729) % (TINY_IDS.length - T - 1) + TINY_IDS.length) % (TINY_IDS.length - T - 1);
    xs.push(...TINY_IDS.slice(start, start + T));
    ys.push(...TINY_IDS.slice(start + 1, start + T + 1));
  }
  return { x: tf.tensor2d(xs, [B, T], 'int32'), y: tf.tensor2d(ys, [B, T], 'int32') };
}

export function lossOf(model: LanguageModel, x: tf.Tensor2D, y: tf.Tensor2D, training: boolean): tf.Scalar {
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const logits = tf.reshape(model.apply(x, training), [B * T, model.config.vocabSize]) as tf.Tensor2D;
    return sparseCrossEntropy(logits, tf.reshape(y, [B * T]) as tf.Tensor1D);
  });
}

/** One AdamW step; returns the loss before the update. Leaves no tensors behind. */
export async function trainStep(
  model: LanguageModel,
  opt: AdamW,
  step: number,
  trainable: ReadonlySet<string> | null = null,
  B = 8,
  T = 16,
): Promise<number> {
  const { x, y } = batch(step, B, T);
  const { value, grads } = gradients(model, trainable, () => lossOf(model, x, y, true));
  opt.step(grads, TEST_TRAIN.learningRate);
  const loss = (await value.data())[0];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return loss;
}

export async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}
