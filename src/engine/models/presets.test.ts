import { describe, expect, it } from 'vitest';
import { countParameters } from './index.js';
import { defaultPreset, listPresets, resolveConfig } from './presets.js';

describe('presets', () => {
  it('nano-cpu is exactly nanoGPT\'s CPU recipe for Shakespeare-char', () => {
    const { model, train } = resolveConfig('gpt', 'nano-cpu', 65, {});
    expect(model).toEqual({ arch: 'gpt', vocabSize: 65, contextLength: 64, layers: 4, heads: 4, embedding: 128, dropout: 0 });
    expect(train).toMatchObject({
      batchSize: 12, seqLength: 64, learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 100, decaySteps: 2000,
      weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1, evalInterval: 250, evalBatches: 20,
    });
    // nanoGPT prints 0.80M parameters without the position embedding.
    expect(countParameters(model) - 64 * 128).toBe(795_904);
  });

  it('has a default preset per arch and tokenizer, and lists every preset with a description', () => {
    expect(defaultPreset('gpt', 'char')).toBe('nano-cpu');
    expect(defaultPreset('lstm', 'char')).toBe('char');
    expect(defaultPreset('gru', 'word')).toBe('word');
    expect(listPresets('gpt').map((p) => p.name)).toEqual(['nano-cpu', 'small', 'tiny']);
    expect(listPresets().length).toBe(9);
    for (const p of listPresets()) {
      expect(p.description.length).toBeGreaterThan(10);
      expect(() => resolveConfig(p.arch, p.name, 50)).not.toThrow();
    }
    const char = resolveConfig('lstm', 'char', 80).model;
    expect(char).toEqual({ arch: 'lstm', vocabSize: 80, embedding: 64, hidden: 256, layers: 1, dropout: 0 });
    const { train } = resolveConfig('gru', 'word', 5000);
    expect(train).toMatchObject({ seqLength: 32, batchSize: 32, learningRate: 1e-3, minLearningRate: 1e-3, weightDecay: 0 });
  });

  it('applies overrides and returns fresh objects', () => {
    const a = resolveConfig('gpt', 'nano-cpu', 65, { layers: 2, contextLength: 32, learningRate: 2e-3 });
    expect(a.model).toMatchObject({ layers: 2, contextLength: 32 });
    expect(a.train.seqLength).toBe(32);
    expect(a.train.minLearningRate).toBeCloseTo(2e-4);
    a.train.batchSize = 1;
    expect(resolveConfig('gpt', 'nano-cpu', 65).train.batchSize).toBe(12);
    const r = resolveConfig('lstm', 'char', 65, { hidden: 128, learningRate: 1e-2, vocabLimit: 3, lowercase: true });
    expect(r.model).toMatchObject({ hidden: 128 });
    expect(r.train.minLearningRate).toBe(1e-2);
  });

  it('rejects bad presets and overrides with one-line errors', () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => resolveConfig('gpt', 'huge', 65), /unknown gpt preset 'huge': use one of nano-cpu, small, tiny/],
      [() => resolveConfig('gpt', 'char', 65), /unknown gpt preset 'char'/],
      [() => resolveConfig('gpt', 'tiny', 65, { layers: 0 }), /layers must be a whole number > 0, got 0/],
      [() => resolveConfig('gpt', 'tiny', 65, { embedding: Number.NaN }), /embedding must be a whole number > 0/],
      [() => resolveConfig('gpt', 'tiny', 65, { heads: 3 }), /heads \(3\) must divide embedding \(32\)/],
      [() => resolveConfig('gpt', 'tiny', 65, { dropout: 1 }), /dropout must be a number in \[0, 1\)/],
      [() => resolveConfig('gpt', 'tiny', 65, { learningRate: -1 }), /learningRate must be a number > 0/],
      [() => resolveConfig('gpt', 'tiny', 65, { seqLength: 64 }), /seqLength \(64\) must not exceed contextLength \(32\)/],
      [() => resolveConfig('gpt', 'tiny', 65, { hidden: 64 }), /hidden does not apply to gpt models/],
      [() => resolveConfig('lstm', 'tiny', 65, { heads: 2 }), /heads does not apply to lstm models/],
      [() => resolveConfig('gpt', 'tiny', 65, { minLearningRate: 1 }), /must not exceed learningRate/],
      [() => resolveConfig('gpt', 'tiny', 1), /vocabulary size must be at least 2/],
      [() => resolveConfig('gpt', 'tiny', 65, { bogus: 1 } as never), /unknown setting 'bogus'/],
    ];
    for (const [fn, message] of bad) {
      expect(fn).toThrow(message);
      try {
        fn();
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });
});
