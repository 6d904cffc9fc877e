// /use and /compare of a model that does not open: one actionable line in the chat's own words.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingModel } from '../commands/model-lookup.js';
import { Chat } from './session.js';
import { fakeEngine } from '#test/support/ui.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

let dir: string;
beforeEach(() => {
  dir = tempDir('inkling-load-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const session = (engine = fakeEngine({ models: ['gutenberg-gpt', 'gutenberg-lstm'] })) =>
  Object.assign(new Chat({ modelsDir: '/models', configDir: dir, deps: engine.deps, backendLabel: 'cpu', frameMs: 0 }), { engine });

describe('a model that does not open in the chat', () => {
  it('gets a close name, and points to /models rather than the command line', async () => {
    const s = session();
    await expect(s.use('gutenberg-lsmt')).rejects.toThrow("model 'gutenberg-lsmt' not found (did you mean gutenberg-lstm?) — /models lists them");
    await expect(s.use('zzz')).rejects.toThrow("model 'zzz' not found — /models lists them");
    await expect(s.generateWith('gutenberg-lsmt', 'x', { maxTokens: 1, temperature: 0, topK: 0, topP: 1 }, () => {})).rejects.toThrow(
      /did you mean gutenberg-lstm\?\) — \/models lists them$/,
    );
  });

  it('is a run that has not saved yet: says when its first checkpoint comes', async () => {
    const s = session();
    s.startTraining({ kind: 'train', name: 'manlstm', modelsDir: '/m', corpus: 'x', arch: 'lstm', tokenizer: 'char' });
    const run = s.engine.trainings[0]!;
    run.emit({ type: 'start', name: 'manlstm', backend: 'wasm', totalSteps: 1000, startStep: 0, params: 1, message: 'go', saveEvery: { steps: 250, seconds: 60 } });
    await expect(s.use('manlstm')).rejects.toThrow(/^manlstm has not saved a checkpoint yet: the first comes at step 250 or 60 s into the run, whichever is sooner\. \/use manlstm then\.$/);
    // 10 steps a second: step 250 is 20 s away, sooner than the 60 s mark.
    run.emit({ type: 'progress', step: 50, totalSteps: 1000, trainLoss: 3, tokensPerSec: 1, elapsedSeconds: 5, etaSeconds: 95, learningRate: 1e-3 });
    await expect(s.use('manlstm')).rejects.toThrow('manlstm has not saved a checkpoint yet: the first comes at step 250 or 60 s into the run, in about 20s. /use manlstm then.');
    run.emit({ type: 'checkpoint', step: 250, path: '/m/manlstm' });
    await expect(s.use('manlstm')).rejects.toThrow(/^model 'manlstm' not found/);
  });
});

describe('a missing model on the command line', () => {
  it('points to inkling models', () => {
    expect(missingModel('gutenberg-lsmt', ['gutenberg-gpt', 'gutenberg-lstm'], 'cli')).toBe("model 'gutenberg-lsmt' not found (did you mean gutenberg-lstm?) — inkling models lists them");
  });
});
