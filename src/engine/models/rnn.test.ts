import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../training/optim.js';
import type { RnnConfig } from '../types.js';
import { countParameters, createModel, trainableNames } from './index.js';
import { TEST_TRAIN, TINY_IDS, TINY_VOCAB, maxAbsDiff, trainStep, values } from '#test/support/training.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['lstm', 'gru'] as const)('%s', (arch) => {
  const config: RnnConfig = { arch, vocabSize: TINY_VOCAB.length, embedding: 16, hidden: 32, layers: 2, dropout: 0.1 };

  it('has the parameter count countParameters predicts, and the freeze groups', () => {
    const model = createModel(config, 1);
    expect(model.parameterCount()).toBe(countParameters(config));
    expect(model.contextLength).toBeNull();
    expect(new Set(model.weights.map((w) => w.group))).toEqual(new Set(['embedding', 'layer0', 'layer1', 'head']));
    model.dispose();
  });

  it('gives identical initial weights for the same seed', async () => {
    const a = createModel(config, 11);
    const b = createModel(config, 11);
    for (let i = 0; i < a.weights.length; i++) {
      expect(maxAbsDiff(await values(a.weights[i].variable), await values(b.weights[i].variable))).toBe(0);
    }
    a.dispose();
    b.dispose();
  });

  it('learns a tiny repetitive corpus, keeping the tensor count flat', async () => {
    const model = createModel({ ...config, layers: 1, hidden: 48 }, 1);
    const opt = new AdamW(model.weights, TEST_TRAIN);
    const losses: number[] = [];
    let count = 0;
    for (let step = 0; step < 25; step++) {
      losses.push(await trainStep(model, opt, step, null, 8, 12));
      if (step === 1) count = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(count);
    }
    const first = (losses[0] + losses[1]) / 2;
    const last = (losses[23] + losses[24]) / 2;
    expect(first).toBeGreaterThan(Math.log(TINY_VOCAB.length) - 0.5);
    expect(last).toBeLessThan(first * 0.7);
    opt.dispose();
    model.dispose();
  });

  it('feeds token by token (and in chunks) to the same logits as apply', async () => {
    const model = createModel(config, 2);
    const seq = TINY_IDS.slice(3, 23);
    const full = tf.tidy(() => model.apply(tf.tensor2d(seq, [1, seq.length], 'int32'), false));
    const expected = await values(full);
    const V = config.vocabSize;
    const state = model.createState();
    let count = 0;
    for (let i = 0; i < seq.length; i++) {
      const logits = model.feed(state, [seq[i]]);
      expect(maxAbsDiff(await values(logits), expected.subarray(i * V, (i + 1) * V))).toBeLessThan(1e-4);
      logits.dispose();
      if (i === 0) count = tf.memory().numTensors;
      else expect(tf.memory().numTensors).toBe(count);
    }
    expect(state.length).toBe(seq.length);
    const chunked = model.createState();
    model.feed(chunked, seq.slice(0, 12)).dispose();
    const last = model.feed(chunked, seq.slice(12));
    expect(maxAbsDiff(await values(last), expected.subarray((seq.length - 1) * V))).toBeLessThan(1e-4);
    tf.dispose([full, last]);
    state.dispose();
    chunked.dispose();
    model.dispose();
  });

  it('keeps frozen groups unchanged', async () => {
    const model = createModel(config, 3);
    const trainable = trainableNames(model, 1);
    const opt = new AdamW(model.weights, TEST_TRAIN, trainable);
    const before = await Promise.all(model.weights.map((w) => values(w.variable)));
    for (let step = 0; step < 2; step++) await trainStep(model, opt, step, trainable, 4, 8);
    for (let i = 0; i < model.weights.length; i++) {
      const w = model.weights[i];
      const diff = maxAbsDiff(before[i], await values(w.variable));
      if (w.group === 'embedding' || w.group === 'layer0') expect(diff, w.name).toBe(0);
      else expect(diff, w.name).toBeGreaterThan(0);
    }
    opt.dispose();
    model.dispose();
  });
});

it('starts the LSTM forget gate at 1 and the other biases at 0', async () => {
  const model = createModel({ arch: 'lstm', vocabSize: 5, embedding: 4, hidden: 3, layers: 1, dropout: 0 }, 1);
  const bias = model.weights.find((w) => w.name === 'layer0/bias')!;
  expect([...(await values(bias.variable))]).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  model.dispose();
});
