import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../training/optim.js';
import { GptModel } from './gpt.js';
import { assignWeights, countParameters, createModel, namedTensors, trainableNames } from './index.js';
import { TEST_TRAIN, TINY_IDS, TINY_VOCAB, maxAbsDiff, trainStep, values, TINY_GPT } from '#test/support/training.js';

const config = TINY_GPT;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function lastLogitsOfApply(model: GptModel, ids: number[]): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const logits = model.apply(tf.tensor2d(ids, [1, ids.length], 'int32'), false);
    return tf.slice(logits, [0, ids.length - 1, 0], [1, 1, -1]);
  });
  const v = await values(out);
  out.dispose();
  return v;
}

describe('gpt', () => {
  it('has the parameter count countParameters predicts, with nanoGPT weight names and groups', () => {
    const model = createModel(config, 1);
    expect(model.parameterCount()).toBe(countParameters(config));
    const names = model.weights.map((w) => w.name);
    expect(names).toContain('block0/attn/qkv/kernel');
    expect(new Set(model.weights.map((w) => w.group))).toEqual(new Set(['embedding', 'layer0', 'layer1', 'head']));
    // Matrices decay, gains do not.
    expect(model.weights.filter((w) => !w.decay).every((w) => w.variable.rank === 1)).toBe(true);
    expect(model.weights.filter((w) => w.decay).every((w) => w.variable.rank === 2)).toBe(true);
    model.dispose();
  });

  it('gives identical initial weights for the same seed and different ones for another', async () => {
    const a = createModel(config, 7);
    const b = createModel(config, 7);
    const c = createModel(config, 8);
    for (let i = 0; i < a.weights.length; i++) {
      expect(maxAbsDiff(await values(a.weights[i].variable), await values(b.weights[i].variable))).toBe(0);
    }
    const qkv = (m: typeof a) => m.weights.find((w) => w.name === 'block0/attn/qkv/kernel')!.variable;
    expect(maxAbsDiff(await values(qkv(a)), await values(qkv(c)))).toBeGreaterThan(0);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('learns a tiny repetitive corpus with AdamW, keeping the tensor count flat', async () => {
    // One layer keeps this fast on the cpu backend; the other tests cover two.
    const model = createModel({ ...config, layers: 1 }, 1);
    const opt = new AdamW(model.weights, TEST_TRAIN);
    const losses: number[] = [];
    let count = 0;
    for (let step = 0; step < 25; step++) {
      losses.push(await trainStep(model, opt, step));
      if (step === 1) count = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(count);
    }
    expect(opt.stepCount).toBe(25);
    const first = (losses[0] + losses[1]) / 2;
    const last = (losses[23] + losses[24]) / 2;
    expect(first).toBeGreaterThan(Math.log(TINY_VOCAB.length) - 0.5);
    expect(last).toBeLessThan(first * 0.6);
    opt.dispose();
    model.dispose();
  });

  it('feeds token by token to the same logits as apply, and slides past the window', async () => {
    const model = new GptModel({ ...config, dropout: 0.1 }, 3);
    const state = model.createState();
    const seq = TINY_IDS.slice(0, 40);
    const before = tf.memory().numTensors;
    let countAfterFirst = 0;
    for (let i = 0; i < seq.length; i++) {
      const logits = model.feed(state, [seq[i]]);
      // Within the window the cache must reproduce apply on the whole prefix;
      // after a slide, apply on exactly the tokens the state kept.
      const expected = await lastLogitsOfApply(model, state.window);
      if (i < config.contextLength) expect(state.window).toEqual(seq.slice(0, i + 1));
      expect(maxAbsDiff(await values(logits), expected)).toBeLessThan(1e-4);
      logits.dispose();
      if (i === 0) countAfterFirst = tf.memory().numTensors;
      else expect(tf.memory().numTensors).toBe(countAfterFirst);
    }
    expect(state.length).toBe(seq.length);
    expect(state.window.length).toBeLessThanOrEqual(config.contextLength);
    expect(state.window).toEqual(seq.slice(seq.length - state.window.length));
    state.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('feeds several tokens on top of a cache (masked, cached keys extended) to the logits of apply', async () => {
    const model = new GptModel(config, 5);
    const ids = TINY_IDS.slice(3, 12);
    const state = model.createState();
    const before = tf.memory().numTensors;
    model.feed(state, ids.slice(0, 6)).dispose();
    const chunk = model.feed(state, ids.slice(6));
    expect(maxAbsDiff(await values(chunk), await lastLogitsOfApply(model, ids))).toBeLessThan(1e-4);
    chunk.dispose();
    state.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('feeds a prompt in one go to the same logits as token by token', async () => {
    const model = new GptModel(config, 4);
    const prompt = TINY_IDS.slice(5, 15);
    const a = model.createState();
    const b = model.createState();
    const whole = model.feed(a, prompt);
    let last: tf.Tensor1D | null = null;
    for (const t of prompt) {
      last?.dispose();
      last = model.feed(b, [t]);
    }
    expect(maxAbsDiff(await values(whole), await values(last!))).toBeLessThan(1e-4);
    // A prompt longer than the window keeps its last contextLength tokens.
    const long = model.feed(a, TINY_IDS.slice(0, 30));
    expect(a.window).toEqual(TINY_IDS.slice(14, 30));
    expect(maxAbsDiff(await values(long), await lastLogitsOfApply(model, TINY_IDS.slice(14, 30)))).toBeLessThan(1e-4);
    tf.dispose([whole, last!, long]);
    a.dispose();
    b.dispose();
    model.dispose();
  });

  it('keeps frozen groups unchanged while the rest trains', async () => {
    const model = createModel(config, 5);
    const trainable = trainableNames(model, 1);
    const opt = new AdamW(model.weights, TEST_TRAIN, trainable);
    const before = new Map<string, Float32Array>();
    for (const w of model.weights) before.set(w.name, await values(w.variable));
    for (let step = 0; step < 3; step++) await trainStep(model, opt, step, trainable);
    for (const w of model.weights) {
      const diff = maxAbsDiff(before.get(w.name)!, await values(w.variable));
      if (w.group === 'embedding' || w.group === 'layer0') expect(diff, w.name).toBe(0);
      else expect(diff, w.name).toBeGreaterThan(0);
    }
    expect(() => trainableNames(model, 3)).toThrow(/more than the model's 2 layers/);
    opt.dispose();
    model.dispose();
  });

  it('assignWeights copies values and rejects missing or mis-shaped weights in one line', async () => {
    const a = createModel(config, 1);
    const b = createModel(config, 2);
    assignWeights(b, namedTensors(a));
    for (let i = 0; i < a.weights.length; i++) {
      expect(maxAbsDiff(await values(a.weights[i].variable), await values(b.weights[i].variable))).toBe(0);
    }
    const partial = { ...namedTensors(a) };
    delete partial['block1/mlp/fc/kernel'];
    expect(() => assignWeights(b, partial)).toThrow('weights do not match the model: missing block1/mlp/fc/kernel');
    const other = createModel({ ...config, embedding: 16 }, 1);
    expect(() => assignWeights(b, namedTensors(other))).toThrow(/has shape \[.*\], expected/);
    [a, b, other].forEach((m) => m.dispose());
  });

  it('applies dropout only when training, with masks reproducible from the seed', async () => {
    const x = tf.tensor2d([TINY_IDS.slice(0, 16)], [1, 16], 'int32');
    const run = async (seed: number, training: boolean) => {
      const model = createModel({ ...config, dropout: 0.2 }, seed);
      const out = model.apply(x, training);
      const v = await values(out);
      out.dispose();
      model.dispose();
      return v;
    };
    expect(maxAbsDiff(await run(1, true), await run(1, true))).toBe(0);
    expect(maxAbsDiff(await run(1, true), await run(1, false))).toBeGreaterThan(1e-3);
    x.dispose();
  });

  it('rejects tokens outside the vocabulary and empty feeds in one line', () => {
    const model = createModel(config, 1);
    const state = model.createState();
    expect(() => model.feed(state, [config.vocabSize])).toThrow(`token id ${config.vocabSize} is outside the vocabulary`);
    expect(() => model.feed(state, [])).toThrow('feed needs at least one token');
    expect(state.length).toBe(0);
    state.dispose();
    model.dispose();
  });

  it('rejects sequences longer than the context', () => {
    const model = createModel(config, 1);
    const x = tf.zeros([1, 17], 'int32') as tf.Tensor2D;
    expect(() => model.apply(x, false)).toThrow(/exceeds the context length 16/);
    x.dispose();
    model.dispose();
  });
});
