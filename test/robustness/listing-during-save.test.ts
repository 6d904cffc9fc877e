// A listing made while a save swaps a model's folder (between its two renames, when the model's own folder is
// briefly absent) shows the previous complete checkpoint: never "broken", never missing.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../support/commands.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { loadModel, saveCheckpoint, saveHooks, snapshotWeights } from '../../src/engine/store/checkpoint.js';
import { listModels } from '../../src/engine/store/registry.js';
import { makeTinyModel } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
let modelsDir: string;
beforeAll(async () => {
  modelsDir = tempDir('inkling-listing-');
  await makeTinyModel(modelsDir, 'm', { steps: 2, evalInterval: 2 });
});
afterEach(() => {
  delete saveHooks.betweenRenames;
});

describe('inkling models during a save', () => {
  it('between the two renames: the previous checkpoint is listed as healthy', async () => {
    const dir = path.join(modelsDir, 'm');
    const loaded = await loadModel(dir);
    const bestWeights = snapshotWeights(loaded.model);
    const seen: { steps: number | null; text: string; loads: boolean } = { steps: null, text: '', loads: false };
    saveHooks.betweenRenames = async () => {
      const entry = (await listModels([modelsDir])).find((e) => e.name === 'm');
      seen.steps = entry?.ok ? entry.manifest.step : null;
      const ctx = cliContext(modelsDir);
      await runArgv('models', [], ctx, 'cli');
      seen.text = ctx.out.text();
    };
    try {
      await saveCheckpoint(dir, { manifest: { ...loaded.manifest, step: 99 }, tokenizer: loaded.tokenizer, bestWeights });
    } finally {
      tf.dispose(Object.values(bestWeights));
      loaded.dispose();
    }
    expect(seen.steps).toBe(2);
    expect(seen.text).toMatch(/^m\s+gpt/m);
    expect(seen.text).not.toMatch(/broken/);
    const after = (await listModels([modelsDir])).find((e) => e.name === 'm');
    expect(after?.ok && after.manifest.step).toBe(99);
  });
});
