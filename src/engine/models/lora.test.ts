// LoRA on the pretrained families, checked against a plain-arithmetic reference: a model with adapters must
// give the logits of its base with W + (alpha / rank) A B written into each kernel, computed here in loops.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHfModel, readHfFolder } from '../store/hf-folder.js';
import { gradients } from './index.js';
import { LoraModel, isAdaptable, type AdaptableModel } from './lora.js';

const HF = path.resolve('test/fixtures/hf');
const IDS = [3, 17, 5, 42, 8, 1, 29, 11];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function loadBase(name: string): Promise<AdaptableModel> {
  const model = await buildHfModel(await readHfFolder(path.join(HF, name)));
  if (!isAdaptable(model)) throw new Error(`${name} does not take adapters`);
  return model;
}

async function logitsOf(model: { apply(t: tf.Tensor2D, training: boolean): tf.Tensor3D }): Promise<Float32Array> {
  const out = tf.tidy(() => model.apply(tf.tensor2d([IDS], [1, IDS.length], 'int32'), false));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Gives every adapter matrix small seeded random values (a fresh B is zero, which would test nothing). */
function randomiseAdapters(lora: LoraModel): void {
  tf.tidy(() => lora.weights.forEach((w, i) => w.variable.assign(tf.randomNormal(w.variable.shape, 0, 0.05, 'float32', 100 + i))));
}

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('LoRA on %s', (name) => {
  it('leaves the model unchanged while B is zero', async () => {
    const base = await loadBase(name);
    const before = await logitsOf(base);
    const lora = new LoraModel(base, { rank: 4, alpha: 8, dropout: 0 }, 1);
    expect(maxDiff(await logitsOf(lora), before)).toBe(0);
    lora.dispose();
  });

  it('gives the logits of the base with W + (alpha/r) A B in each kernel (plain-loop reference)', async () => {
    const rank = 3;
    const alpha = 5;
    const lora = new LoraModel(await loadBase(name), { rank, alpha, dropout: 0.3 }, 2);
    randomiseAdapters(lora);
    const adapted = await logitsOf(lora);

    const reference = await loadBase(name);
    const byName = new Map(lora.weights.map((w) => [w.name, w.variable]));
    for (const target of reference.adapterTargets()) {
      const [W, A, B] = await Promise.all([target.kernel.data(), byName.get(`${target.name}/lora_a`)!.data(), byName.get(`${target.name}/lora_b`)!.data()]);
      const merged = new Float32Array(W);
      for (let i = 0; i < target.inDim; i++) {
        for (let j = 0; j < target.outDim; j++) {
          let s = 0;
          for (let k = 0; k < rank; k++) s += A[i * rank + k]! * B[k * target.outDim + j]!;
          merged[i * target.outDim + j] += (alpha / rank) * s;
        }
      }
      target.kernel.assign(tf.tensor2d(merged, [target.inDim, target.outDim]));
    }
    expect(maxDiff(adapted, await logitsOf(reference))).toBeLessThan(1e-4);
    // ...and folding the adapters in gives the same model.
    const merged = lora.mergeIntoBase();
    expect(maxDiff(await logitsOf(merged), await logitsOf(reference))).toBeLessThan(1e-5);
    merged.dispose();
    reference.dispose();
  });

  it('decodes with the KV cache as it computes whole sequences', async () => {
    const lora = new LoraModel(await loadBase(name), { rank: 2, alpha: 4, dropout: 0 }, 3);
    randomiseAdapters(lora);
    const whole = await logitsOf(lora);
    const V = lora.config.vocabSize;
    const state = lora.createState();
    const counted = tf.memory().numTensors;
    let last: Float32Array | null = null;
    for (const [i, id] of IDS.entries()) {
      const step = lora.feed(state, [id]);
      last = (await step.data()) as Float32Array;
      step.dispose();
      if (i === 0) expect(maxDiff(last, whole.slice(0, V))).toBeLessThan(1e-4);
    }
    expect(maxDiff(last!, whole.slice((IDS.length - 1) * V))).toBeLessThan(1e-4);
    state.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(counted);
    lora.dispose();
  });

  it('trains the adapters only: the gradients cover them, the base weights do not move', async () => {
    const lora = new LoraModel(await loadBase(name), { rank: 2, alpha: 4, dropout: 0.1 }, 4);
    const baseBefore = await Promise.all(lora.base.weights.map((w) => w.variable.data()));
    const loss = () =>
      tf.tidy(() => {
        const logits = lora.apply(tf.tensor2d([IDS.slice(0, -1)], [1, IDS.length - 1], 'int32'), true);
        const labels = tf.oneHot(tf.tensor1d(IDS.slice(1), 'int32'), lora.config.vocabSize);
        return tf.losses.softmaxCrossEntropy(labels, tf.reshape(logits, [IDS.length - 1, -1])) as tf.Scalar;
      });
    const { value, grads } = gradients(lora, null, loss);
    expect(Object.keys(grads).sort()).toEqual(lora.weights.map((w) => w.name).sort());
    // A fresh B is zero, so only the B matrices get a gradient at first: x A is not zero, (dy)ᵀ(x A) is not.
    const bGrad = grads[lora.weights[1]!.name]!;
    expect(Math.max(...Array.from(await tf.abs(bGrad).data()))).toBeGreaterThan(0);
    tf.tidy(() => lora.weights.forEach((w) => w.variable.assign(tf.sub(w.variable, tf.mul(grads[w.name]!, 0.1)))));
    value.dispose();
    tf.dispose(Object.values(grads));
    const baseAfter = await Promise.all(lora.base.weights.map((w) => w.variable.data()));
    baseAfter.forEach((after, i) => expect(Array.from(after)).toEqual(Array.from(baseBefore[i]!)));
    lora.dispose();
  });
});

describe('LoRA settings', () => {
  it('refuses a rank above the smallest projection, and bad alpha or dropout, in one line', async () => {
    const base = await loadBase('tiny-gpt2');
    expect(() => new LoraModel(base, { rank: 100_000, alpha: 1, dropout: 0 }, 1)).toThrow(/--lora 100000 is more than the smallest projection's size/);
    expect(() => new LoraModel(base, { rank: 2, alpha: 0, dropout: 0 }, 1)).toThrow(/--lora-alpha must be a positive number/);
    expect(() => new LoraModel(base, { rank: 2, alpha: 4, dropout: 1 }, 1)).toThrow(/--lora-dropout must be at least 0 and below 1/);
    base.dispose();
  });
});
