import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, gradients } from '../models/index.js';
import { TEST_TRAIN, TINY_VOCAB, batch, lossOf, maxAbsDiff, values } from '#test/support/training.js';
import { resolveConfig } from '../models/presets.js';
import { AdamW, learningRateAt } from './optim.js';
import type { NamedWeight, TrainConfig } from '../types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const nano = resolveConfig('gpt', 'nano-cpu', 65).train;
const train: TrainConfig = { ...nano, weightDecay: 0.1, gradClip: 1 };

describe('learningRateAt', () => {
  it('warms up linearly, decays by cosine to the minimum at decaySteps, then stays flat', () => {
    expect(learningRateAt(0, nano)).toBeCloseTo(1e-3 / 101, 12);
    expect(learningRateAt(99, nano)).toBeCloseTo((1e-3 * 100) / 101, 12);
    expect(learningRateAt(100, nano)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(1050, nano)).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(2000, nano)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(9999, nano)).toBeCloseTo(1e-4, 12);
    for (let s = 100; s < 2000; s += 50) expect(learningRateAt(s + 50, nano)).toBeLessThan(learningRateAt(s, nano));
  });

  it('is constant when minLearningRate equals learningRate', () => {
    const constant = resolveConfig('lstm', 'char', 65).train;
    for (const s of [0, 1, 500, 100000]) expect(learningRateAt(s, constant)).toBe(2e-3);
  });
});

function weight(name: string, values: number[], decay = true): NamedWeight {
  return { name, variable: tf.variable(tf.tensor1d(values)), decay, group: 'layer0' };
}

/** Plain-JS torch.optim.AdamW with clip_grad_norm_, the reference for the tfjs version. */
function referenceStep(
  ws: { w: number[]; m: number[]; v: number[]; decay: boolean }[],
  grads: number[][],
  lr: number,
  t: number,
  c: TrainConfig,
): void {
  const norm = Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
  const scale = c.gradClip > 0 ? Math.min(1, c.gradClip / (norm + 1e-6)) : 1;
  ws.forEach((p, k) => {
    for (let i = 0; i < p.w.length; i++) {
      const g = grads[k][i] * scale;
      p.m[i] = c.beta1 * p.m[i] + (1 - c.beta1) * g;
      p.v[i] = c.beta2 * p.v[i] + (1 - c.beta2) * g * g;
      if (p.decay) p.w[i] *= 1 - lr * c.weightDecay;
      const mHat = p.m[i] / (1 - c.beta1 ** t);
      const vHat = p.v[i] / (1 - c.beta2 ** t);
      p.w[i] -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  });
}

describe('AdamW', () => {
  it('matches torch AdamW with global-norm clipping, decaying only decay weights', async () => {
    const init = [[1, -2, 0.5], [0.3, 0.7]];
    const weights = [weight('a', init[0]), weight('b', init[1], false)];
    const opt = new AdamW(weights, train);
    const ref = init.map((w, k) => ({ w: [...w], m: w.map(() => 0), v: w.map(() => 0), decay: k === 0 }));
    // Large gradients (clipped), then small ones (not clipped).
    const gradSets = [[[3, 4, -12], [1, 2]], [[0.01, -0.02, 0.03], [0.04, 0]], [[5, 0, 0], [0, -5]]];
    for (let s = 0; s < gradSets.length; s++) {
      const lr = 0.05 * (s + 1);
      const grads = { a: tf.tensor1d(gradSets[s][0]), b: tf.tensor1d(gradSets[s][1]) };
      opt.step(grads, lr);
      referenceStep(ref, gradSets[s], lr, s + 1, train);
      tf.dispose(Object.values(grads));
    }
    for (let k = 0; k < 2; k++) {
      const got = await weights[k].variable.data();
      ref[k].w.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
    }
    expect(opt.stepCount).toBe(3);
    opt.dispose();
    weights.forEach((w) => w.variable.dispose());
  });

  it('skips frozen weights entirely and keeps the tensor count flat', async () => {
    const weights = [weight('a', [1, 2]), weight('frozen', [3, 4])];
    const opt = new AdamW(weights, train, new Set(['a']));
    expect(opt.trainableNames).toEqual(['a']);
    expect(Object.keys(opt.getState().tensors).sort()).toEqual(['m/a', 'v/a']);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) {
      const grads = { a: tf.tensor1d([1, -1]), frozen: tf.tensor1d([1, 1]) };
      opt.step(grads, 0.1);
      tf.dispose(Object.values(grads));
      expect(tf.memory().numTensors).toBe(before);
    }
    expect([...(await weights[1].variable.data())]).toEqual([3, 4]);
    expect((await weights[0].variable.data())[0]).toBeLessThan(1);
    opt.dispose();
    weights.forEach((w) => w.variable.dispose());
  });

  it('restores its state, so a resumed run continues exactly', async () => {
    const a = [weight('w', [1, 2, 3])];
    const b = [weight('w', [0, 0, 0])];
    const optA = new AdamW(a, train);
    const grads = (s: number) => ({ w: tf.tensor1d([s, -s, 0.5 * s]) });
    for (let s = 1; s <= 3; s++) optA.step(grads(s), 0.01);
    const optB = new AdamW(b, train);
    b[0].variable.assign(a[0].variable);
    optB.setState(optA.getState());
    expect(optB.stepCount).toBe(3);
    optA.step(grads(4), 0.01);
    optB.step(grads(4), 0.01);
    expect([...(await b[0].variable.data())]).toEqual([...(await a[0].variable.data())]);
    const missing = { step: 1, tensors: { 'm/w': tf.zeros([3]) } };
    expect(() => optB.setState(missing)).toThrow('optimizer state does not match the model: missing v/w');
    const misShaped = { step: 1, tensors: { 'm/w': tf.zeros([2]), 'v/w': tf.zeros([3]) } };
    expect(() => optB.setState(misShaped)).toThrow(/m\/w has shape \[2\], expected \[3\]/);
  });

  it('matches the per-tensor AdamW over 5 steps of a tiny GPT, frozen weights bit-identical, state in the per-weight format', async () => {
    const config = { arch: 'gpt', vocabSize: TINY_VOCAB.length, contextLength: 8, layers: 1, heads: 2, embedding: 16, dropout: 0 } as const;
    const model = createModel(config, 3);
    const twin = createModel(config, 3);
    const frozen = 'block0/attn/qkv/kernel';
    const trainable = new Set(model.weights.map((w) => w.name).filter((n) => n !== frozen));
    const frozenBefore = await values(model.weights.find((w) => w.name === frozen)!.variable);
    const opt = new AdamW(model.weights, TEST_TRAIN, trainable);
    const legacy = legacyAdamW(twin.weights.filter((w) => trainable.has(w.name)), TEST_TRAIN);
    for (let s = 0; s < 5; s++) {
      const { x, y } = batch(s, 4, 8);
      // The same gradients go to both, so only the optimizers' arithmetic is compared.
      const { value, grads } = gradients(model, trainable, () => lossOf(model, x, y, true));
      opt.step(grads, 0.05);
      legacy.step(grads, 0.05);
      tf.dispose([x, y, value, ...Object.values(grads)]);
    }
    for (let i = 0; i < model.weights.length; i++) {
      const got = await values(model.weights[i].variable);
      expect(maxAbsDiff(got, await values(twin.weights[i].variable))).toBeLessThan(1e-6);
    }
    expect([...(await values(model.weights.find((w) => w.name === frozen)!.variable))]).toEqual([...frozenBefore]);
    const state = opt.getState();
    expect(state.step).toBe(5);
    expect(Object.keys(state.tensors).sort()).toEqual([...trainable].flatMap((n) => [`m/${n}`, `v/${n}`]).sort());
    for (const w of twin.weights.filter((w) => trainable.has(w.name))) {
      expect(state.tensors[`m/${w.name}`].shape).toEqual(w.variable.shape);
      expect(maxAbsDiff(await values(state.tensors[`m/${w.name}`]), await values(legacy.m.get(w.name)!))).toBeLessThan(1e-7);
      expect(maxAbsDiff(await values(state.tensors[`v/${w.name}`]), await values(legacy.v.get(w.name)!))).toBeLessThan(1e-7);
    }
    // A fresh optimizer takes the state back and hands out the same; dispose frees all it made.
    const before = tf.memory().numTensors;
    const restored = new AdamW(model.weights, TEST_TRAIN, trainable);
    restored.setState(state);
    const again = restored.getState();
    for (const key of Object.keys(state.tensors)) expect(maxAbsDiff(await values(again.tensors[key]), await values(state.tensors[key]))).toBe(0);
    tf.dispose(Object.values(again.tensors));
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(state.tensors));
    [opt, legacy].forEach((o) => o.dispose());
    [model, twin].forEach((m) => m.dispose());
  });

  it('leaves a weight without a gradient this step, and its moments, unchanged', async () => {
    const weights = [weight('a', [1, 2]), weight('b', [3, 4, 5])];
    const opt = new AdamW(weights, train);
    const first = { a: tf.tensor1d([1, 1]), b: tf.tensor1d([1, 1, 1]) };
    opt.step(first, 0.1);
    const bBefore = await weights[1].variable.data();
    const mBefore = opt.getState().tensors['m/b'];
    const only = { a: tf.tensor1d([1, -1]) };
    opt.step(only, 0.1);
    expect([...(await weights[1].variable.data())]).toEqual([...bBefore]);
    expect([...(await opt.getState().tensors['m/b'].data())]).toEqual([...(await mBefore.data())]);
    expect(() => opt.step({}, 0.1)).toThrow('no gradients for any trainable weight');
    tf.dispose([...Object.values(first), ...Object.values(only)]);
    opt.dispose();
  });
});

/** The per-tensor AdamW this optimizer replaced (a dozen kernel calls per weight), as the equivalence reference. */
function legacyAdamW(weights: NamedWeight[], c: TrainConfig) {
  const m = new Map(weights.map((w) => [w.name, tf.variable(tf.zerosLike(w.variable), false)]));
  const v = new Map(weights.map((w) => [w.name, tf.variable(tf.zerosLike(w.variable), false)]));
  let t = 0;
  return {
    m,
    v,
    step(grads: Record<string, tf.Tensor>, lr: number) {
      t++;
      tf.tidy(() => {
        const norm = tf.sqrt(tf.addN(weights.map((w) => tf.sum(tf.square(grads[w.name])))));
        const scale = tf.minimum(tf.div(c.gradClip, tf.add(norm, 1e-6)), 1);
        for (const w of weights) {
          const g = tf.mul(grads[w.name], scale);
          const mi = tf.add(tf.mul(m.get(w.name)!, c.beta1), tf.mul(g, 1 - c.beta1));
          const vi = tf.add(tf.mul(v.get(w.name)!, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
          m.get(w.name)!.assign(mi);
          v.get(w.name)!.assign(vi);
          const decayed = w.decay ? tf.mul(w.variable, 1 - lr * c.weightDecay) : w.variable;
          const update = tf.div(tf.div(mi, 1 - c.beta1 ** t), tf.add(tf.sqrt(tf.div(vi, 1 - c.beta2 ** t)), 1e-8));
          w.variable.assign(tf.sub(decayed, tf.mul(update, lr)));
        }
      });
    },
    dispose: () => tf.dispose([...m.values(), ...v.values()]),
  };
}
