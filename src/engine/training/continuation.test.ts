// Free-running continuation differs from teacher-forced next-token accuracy: one miss derails what follows.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '#test/support/models.js';
import type { DecodeState, LanguageModel, Tokenizer } from '../types.js';
import { continuationAccuracy, standardError } from './continuation.js';
import { scoreWindows } from './evaluate.js';

const V = 16;

/** Always guesses "last token + 1": right on a counting run, wrong after a jump in the text. */
function countingModel(): LanguageModel {
  return {
    config: { arch: 'lstm', vocabSize: V, embedding: 1, hidden: 1, layers: 1, dropout: 0 },
    weights: [],
    contextLength: null,
    apply: (tokens: tf.Tensor2D) => tf.tidy(() => tf.oneHot(tf.mod(tf.add(tokens, tf.scalar(1, 'int32')), tf.scalar(V, 'int32')) as tf.Tensor2D, V).toFloat() as tf.Tensor3D),
    createState: () => ({ length: 0, last: 0, dispose() {} }) as DecodeState & { last: number },
    feed(state: DecodeState, ids: readonly number[]) {
      const s = state as unknown as { last: number };
      s.last = ids[ids.length - 1]!;
      return tf.tidy(() => tf.oneHot(tf.tensor1d([(s.last + 1) % V], 'int32'), V).toFloat().reshape([V]) as tf.Tensor1D);
    },
    parameterCount: () => 0,
    dispose() {},
  } as unknown as LanguageModel;
}

const tokenizer = { decode: (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + i)).join('') } as unknown as Tokenizer;

// Windows of 8: a prompt 0 1 2 3, then 4 and a jump to 9 10 11.
const WINDOW = [0, 1, 2, 3, 4, 9, 10, 11];
const tokens = Int32Array.from([...Array.from({ length: 300 }, () => WINDOW).flat(), 0]);

describe('continuation accuracy', () => {
  beforeAll(useTestBackend);

  it('counts free-running greedy tokens: after the jump the model keeps counting from its own guesses', async () => {
    const figures = await continuationAccuracy(countingModel(), tokenizer, tokens, 8, { minPassages: 50 });
    // 4, then 5 6 7 against 9 10 11: one token in four.
    expect(figures.accuracy).toBe(0.25);
    expect(figures.samples[0]).toEqual({ prompt: 'abcd', expected: 'ejkl', generated: 'efgh' });
    // Every passage scores the same, so the error is 0 and the first round that reaches 50 passages ends it.
    expect(figures.standardError).toBe(0);
    expect(figures.passages).toBeGreaterThanOrEqual(50);
    expect(figures.passages).toBeLessThan(300);
    expect(figures.tokens).toBe(figures.passages * 4);
  });

  it('differs from teacher-forced next-token accuracy, which sees the true text before each guess', async () => {
    const offsets = Array.from({ length: 20 }, (_, i) => i * 8);
    const { accuracy } = await scoreWindows(countingModel(), tokens, offsets, 8, 4);
    // Misses only 9 (after 4) and 0 (after 11): six in eight.
    expect(accuracy).toBe(0.75);
  });

  it('adds passages until the standard error is under the target', () => {
    expect(standardError([0, 1])).toBeCloseTo(0.5);
    expect(standardError([0.2, 0.2, 0.2])).toBeCloseTo(0, 12);
  });
});
