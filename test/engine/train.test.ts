import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { makeTinyModel, useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { readManifest } from '../../src/engine/store/checkpoint.js';
import { prepareTraining } from '../../src/engine/training/run-setup.js';
import { runTraining, trainLoop } from '../../src/engine/training/train.js';
import type { TrainEvent } from '../../src/engine/types.js';
import * as path from 'node:path';
import { readdirSync } from 'node:fs';

const tempDir = useTempDir();

describe('training loop', () => {
  for (const arch of ['gpt', 'lstm', 'gru'] as const) {
    it(`lowers validation loss on a small corpus (${arch})`, async () => {
      const dir = tempDir();
      const events: TrainEvent[] = [];
      const result = await makeTinyModel(dir, `tiny-${arch}`, { arch, steps: 60, evalInterval: 20, onEvent: (e) => events.push(e) });
      const evals = events.filter((e) => e.type === 'eval') as Extract<TrainEvent, { type: 'eval' }>[];
      expect(evals.length).toBeGreaterThanOrEqual(3);
      expect(evals.at(-1)!.valLoss).toBeLessThan(evals[0].valLoss * 0.8);
      expect(result.step).toBe(60);
      const manifest = await readManifest(path.join(dir, `tiny-${arch}`));
      expect(manifest.step).toBe(60);
      expect(manifest.history.length).toBe(evals.length);
      expect(manifest.bestValLoss).toBe(Math.min(...evals.map((e) => e.valLoss)));
    });
  }

  it('emits start, progress, eval, checkpoint and done events in order', async () => {
    const dir = tempDir();
    const events: TrainEvent[] = [];
    await makeTinyModel(dir, 'events', { steps: 4, evalInterval: 2, onEvent: (e) => events.push(e) });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types.filter((t) => t === 'progress')).toHaveLength(4);
    expect(types.indexOf('eval')).toBeLessThan(types.indexOf('checkpoint'));
    expect(types.at(-1)).toBe('done');
  });

  it('leaves no temp folders behind after saving', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 'clean', { steps: 4, evalInterval: 2 });
    expect(readdirSync(dir)).toEqual(['clean']);
  });

  it('keeps the tensor count flat across steps', async () => {
    await useTestBackend();
    const dir = tempDir();
    const counts: number[] = [];
    await makeTinyModel(dir, 'flat', {
      steps: 12,
      evalInterval: 100,
      onEvent: (e) => {
        if (e.type === 'progress' && e.step >= 3) counts.push(tf.memory().numTensors);
      },
    });
    expect(new Set(counts).size).toBe(1);
  });

  it('stops on request after saving', async () => {
    await useTestBackend();
    const dir = tempDir();
    let steps = 0;
    const result = await runTraining(
      { kind: 'train', name: 's', modelsDir: dir, corpus: 'blake-poems', arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 1000 },
      (e) => {
        if (e.type === 'progress') steps = e.step;
      },
      () => steps >= 3,
      'cpu',
    );
    expect(result.stoppedBy).toBe('stop');
    expect(result.step).toBe(3);
    expect((await readManifest(path.join(dir, 's'))).step).toBe(3);
  });

  it('fails in one line when the GPU device reports an error, keeping the last good checkpoint', async () => {
    await useTestBackend();
    const dir = tempDir();
    const setup = await prepareTraining(
      { kind: 'train', name: 'g', modelsDir: dir, corpus: writeCorpus(tempDir()), arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 50, overrides: { evalInterval: 2, evalBatches: 1 } },
      'wasm',
    );
    let steps = 0;
    try {
      const run = trainLoop(setup, {
        onEvent: (e) => {
          if (e.type === 'progress') steps = e.step;
        },
        shouldStop: () => false,
        backend: 'webgpu on test',
        deviceError: () => (steps >= 4 ? 'Invalid ShaderModule "matMul"' : null),
      });
      await expect(run).rejects.toThrow(/^the GPU reported an error, so results are unreliable \(Invalid ShaderModule "matMul"\); train with --backend wasm$/);
    } finally {
      setup.dispose();
    }
    expect((await readManifest(path.join(dir, 'g'))).step).toBe(4);
  });

  it('the same seed reproduces the run exactly', async () => {
    const losses = async (seed: number) => {
      const seen: number[] = [];
      await makeTinyModel(tempDir(), 'seeded', { steps: 6, seed, onEvent: (e) => e.type === 'progress' && seen.push(e.trainLoss) });
      return seen;
    };
    const a = await losses(3);
    expect(await losses(3)).toEqual(a);
    expect(await losses(4)).not.toEqual(a);
  });

  it('refuses to overwrite an existing model without --resume', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 'twice', { steps: 2 });
    await expect(makeTinyModel(dir, 'twice', { steps: 2 })).rejects.toThrow(/already exists/);
  });

  it('refuses bad names and unknown corpora with one line', async () => {
    const dir = tempDir();
    await expect(makeTinyModel(dir, '../escape')).rejects.toThrow(/^invalid model name '\.\.\/escape': no paths/);
    await expect(makeTinyModel(dir, 'x', { corpus: 'no-such-corpus' })).rejects.toThrow(/unknown corpus/);
  });
});
