import { afterEach, describe, expect, it, vi } from 'vitest';
import * as path from 'node:path';
import { readManifest } from '../../src/engine/store/checkpoint.js';
import { runTraining } from '../../src/engine/training/train.js';
import { canFitSchedule, fittedDecaySteps } from '../../src/engine/training/schedule.js';
import type { TrainConfig, TrainEvent } from '../../src/engine/types.js';
import { useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const cosine = { learningRate: 1e-3, minLearningRate: 1e-4, decaySteps: 2000, warmupSteps: 100 } as TrainConfig;

describe('fitting the schedule to a time budget', () => {
  it('ends the decay where the time left runs out, never inside the warm-up', () => {
    // 100 ms a step, 60 s left, 5% kept spare: 570 more steps.
    expect(fittedDecaySteps(30, 100, 60_000, cosine)).toBe(600);
    expect(fittedDecaySteps(30, 100, 0, cosine)).toBe(101);
    expect(fittedDecaySteps(500, 100, -5_000, cosine)).toBe(500);
  });

  it('applies only to time-budgeted runs on a decaying schedule that the user did not set', () => {
    expect(canFitSchedule({ minutes: 3 }, cosine)).toBe(true);
    expect(canFitSchedule({ steps: 100 }, cosine)).toBe(false);
    expect(canFitSchedule({}, cosine)).toBe(false);
    expect(canFitSchedule({ minutes: 3, overrides: { decaySteps: 500 } }, cosine)).toBe(false);
    expect(canFitSchedule({ minutes: 3 }, { ...cosine, minLearningRate: 1e-3 })).toBe(false);
    expect(canFitSchedule({ minutes: 3 }, { ...cosine, decaySteps: 0 })).toBe(false);
  });

  afterEach(() => vi.restoreAllMocks());

  it('a --minutes run decays over the steps it actually made, and the manifest records it', async () => {
    await useTestBackend();
    const dir = tempDir();
    // A clock that moves 15 ms each time it is read (a step reads it about twice), so the run makes about the
    // same number of steps however busy the machine is.
    let clock = 0;
    const epoch = Date.now();
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 15));
    vi.spyOn(Date, 'now').mockImplementation(() => epoch + clock);
    const rates: number[] = [];
    const result = await runTraining(
      {
        kind: 'train', name: 'budget', modelsDir: dir, corpus: writeCorpus(tempDir()), arch: 'gpt', tokenizer: 'char',
        preset: 'tiny', minutes: 0.04, seed: 1, overrides: { evalInterval: 25, evalBatches: 2 },
      },
      (e: TrainEvent) => {
        if (e.type === 'progress') rates.push(e.learningRate);
      },
      () => false,
      'wasm',
    );
    expect(result.stoppedBy).toBe('time');
    expect(result.step).toBeGreaterThan(30);
    expect(result.step).toBeLessThan(100);
    const manifest = await readManifest(path.join(dir, 'budget'));
    // The preset decays over 500 steps; the fitted schedule ends at the run's last step.
    expect(manifest.train.decaySteps).toBe(result.step);
    const peak = Math.max(...rates);
    expect(rates.at(-1)!).toBeLessThan((peak + manifest.train.minLearningRate) / 2);
  });
});
