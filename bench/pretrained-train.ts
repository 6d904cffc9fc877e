// Fine-tune throughput for bench/pretrained.ts, as bench/pytorch_reference.py measures it: batch 4 x 128 random
// tokens, next-token cross-entropy on every position, one step = forward + loss + backward + AdamW (lr 1e-4,
// weight decay 0.01), no dropout; 2 warm-up steps, then the median of 5. Full: every weight trains, at the batch
// the wasm heap really holds (FULL_BATCH; the memory check's verdict at 4 x 128 is reported beside it). LoRA:
// rank 8, alpha 16 on every projection the family names, base frozen.
import * as tf from '@tensorflow/tfjs-core';
import { gradients, trainableNames } from '../src/engine/models/index.js';
import { LoraModel, isAdaptable } from '../src/engine/models/lora.js';
import { AdamW } from '../src/engine/training/optim.js';
import { sparseCrossEntropy } from '../src/engine/training/loss.js';
import { loraActivationFloats, wasmFitRefusal } from '../src/engine/training/memory.js';
import type { LanguageModel, TrainConfig } from '../src/engine/types.js';

export const BATCH = 4;
export const SEQ = 128;
/**
 * The GPT-2-124M shape's full fine-tune at 4 x 128 overflows the 4 GB wasm heap (its high-water mark is about
 * 2.5 GiB + 0.39 GiB per sequence of 128; bench/RESULTS.md) although training/memory.ts's estimate lets it
 * start, so the full run measures 2 x 128.
 */
export const FULL_BATCH = 2;
const WARM = 2;
const STEPS = 5;

const TRAIN: TrainConfig = {
  batchSize: BATCH,
  seqLength: SEQ,
  learningRate: 1e-4,
  minLearningRate: 1e-4,
  warmupSteps: 0,
  decaySteps: 0,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  gradClip: 0,
  evalInterval: 1000,
  evalBatches: 1,
};

export type TrainFigure = { batch: string; tokensPerSec: number; msPerStep: number[]; losses: number[]; memoryCheck?: string } | { refused: string };

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function stepsOf(model: LanguageModel, BATCH: number): Promise<TrainFigure> {
  const V = model.config.vocabSize;
  const trainable = new Set(model.weights.map((w) => w.name));
  const opt = new AdamW(model.weights, TRAIN, trainable);
  let seed = 1;
  const ids = Int32Array.from({ length: BATCH * (SEQ + 1) }, () => (seed = (seed * 48271) % 2147483647) % V);
  const data = tf.tensor2d(ids, [BATCH, SEQ + 1], 'int32');
  const x = tf.slice(data, [0, 0], [BATCH, SEQ]) as tf.Tensor2D;
  const y = tf.tidy(() => tf.reshape(tf.slice(data, [0, 1], [BATCH, SEQ]), [BATCH * SEQ])) as tf.Tensor1D;
  const ms: number[] = [];
  const losses: number[] = [];
  try {
    for (let i = 0; i < WARM + STEPS; i++) {
      const t0 = performance.now();
      const { value, grads } = gradients(model, trainable, () =>
        tf.tidy(() => sparseCrossEntropy(tf.reshape(model.apply(x, true), [BATCH * SEQ, V]) as tf.Tensor2D, y)),
      );
      opt.step(grads, TRAIN.learningRate);
      losses.push((await value.data())[0]);
      tf.dispose([value, ...Object.values(grads)]);
      if (i >= WARM) ms.push(performance.now() - t0);
    }
  } finally {
    opt.dispose();
    tf.dispose([data, x, y]);
  }
  return { batch: `${BATCH}x${SEQ}`, tokensPerSec: Math.round(((BATCH * SEQ * 1000) / median(ms)) * 10) / 10, msPerStep: ms.map(Math.round), losses: losses.map((l) => Math.round(l * 1e4) / 1e4) };
}

/** Full fine-tune of `model` (its weights change). */
export async function fullFinetune(model: LanguageModel, what: string): Promise<TrainFigure> {
  const size = (names: Set<string>) => model.weights.filter((w) => names.has(w.name)).reduce((n, w) => n + w.variable.size, 0);
  const all = trainableNames(model, undefined);
  const check = (batchSize: number) =>
    wasmFitRefusal(what, model.config, model.parameterCount(), size(all), { ...TRAIN, batchSize }, { trainableAt: (n) => size(trainableNames(model, n)) });
  if (tf.getBackend() !== 'wasm') return stepsOf(model, BATCH);
  const refusal = check(FULL_BATCH);
  if (refusal) return { refused: refusal };
  return { ...(await stepsOf(model, FULL_BATCH)), memoryCheck: `at ${BATCH}x${SEQ}: ${check(BATCH) ?? 'allowed'}` };
}

/**
 * LoRA rank 8 (alpha 16, no dropout) on `model`, which it leaves without adapters afterwards. `batch` below 4 for
 * a shape whose 4 x 128 overflows the wasm heap (the memory check's verdict at 4 x 128 is reported beside it).
 */
export async function loraFinetune(model: LanguageModel, what: string, batch = BATCH): Promise<TrainFigure> {
  if (!isAdaptable(model)) return { refused: 'this family takes no LoRA adapters' };
  const lora = new LoraModel(model, { rank: 8, alpha: 16, dropout: 0 }, 1);
  const trainable = lora.adapters.parameterCount();
  // As finetune's own check: the adapters' activations count too.
  const floats = loraActivationFloats(model.adapterTargets());
  const check = (batchSize: number) => wasmFitRefusal(what, model.config, lora.parameterCount(), trainable, { ...TRAIN, batchSize }, {}, floats);
  try {
    const figure = await stepsOf(lora, batch);
    return batch === BATCH ? figure : { ...figure, memoryCheck: `at ${BATCH}x${SEQ}: ${check(BATCH) ?? 'allowed'}` };
  } finally {
    model.useAdapters(null);
    lora.adapters.dispose();
  }
}
