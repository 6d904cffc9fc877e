import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { makeTinyModel, useTestBackend } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, loadResumeState, readManifest, recoverInterruptedSaves } from '../../src/engine/store/checkpoint.js';
import { runTraining } from '../../src/engine/training/train.js';

const tempDir = useTempDir();

async function logitsOf(dir: string, ids: number[]): Promise<Float32Array> {
  const loaded = await loadModel(dir);
  try {
    const logits = tf.tidy(() => loaded.model.apply(tf.tensor2d(ids, [1, ids.length], 'int32'), false));
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    return values;
  } finally {
    loaded.dispose();
  }
}

describe('checkpoints', () => {
  for (const arch of ['gpt', 'lstm'] as const) {
    it(`save then load gives identical logits (${arch})`, async () => {
      const dir = tempDir();
      await makeTinyModel(dir, 'm', { arch, steps: 6, evalInterval: 3 });
      const a = await logitsOf(path.join(dir, 'm'), [1, 2, 3, 4]);
      const copy = tempDir();
      await fs.cp(path.join(dir, 'm'), path.join(copy, 'm'), { recursive: true });
      const b = await logitsOf(path.join(copy, 'm'), [1, 2, 3, 4]);
      expect(Array.from(b)).toEqual(Array.from(a));
    });
  }

  it('resume continues the step count, history and optimizer state', async () => {
    await useTestBackend();
    const dir = tempDir();
    await makeTinyModel(dir, 'r', { steps: 6, evalInterval: 3 });
    const before = await loadResumeState(path.join(dir, 'r'));
    expect(before.optimizer.step).toBe(6);
    const slotName = Object.keys(before.optimizer.tensors)[0];
    expect(slotName).toMatch(/^[mv]\//);
    const slotSum = (await tf.sum(tf.abs(before.optimizer.tensors[slotName])).data())[0];
    expect(slotSum).toBeGreaterThan(0);
    tf.dispose([...Object.values(before.weights), ...Object.values(before.optimizer.tensors)]);

    const corpus = (await readManifest(path.join(dir, 'r'))).corpus.name;
    const result = await runTraining(
      { kind: 'train', name: 'r', modelsDir: dir, corpus, arch: 'gpt', tokenizer: 'char', resume: true, steps: 4 },
      () => {},
      () => false,
      'wasm',
    );
    expect(result.step).toBe(10);
    const manifest = await readManifest(path.join(dir, 'r'));
    expect(manifest.step).toBe(10);
    expect(manifest.history.map((h) => h.step)).toEqual([3, 6, 9, 10]);
    const after = await loadResumeState(path.join(dir, 'r'));
    expect(after.optimizer.step).toBe(10);
    tf.dispose([...Object.values(after.weights), ...Object.values(after.optimizer.tensors)]);
  });

  it('reports corrupted files by name in one line', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 'c', { steps: 2 });
    const model = path.join(dir, 'c');
    const weights = await fs.readFile(path.join(model, 'weights.bin'));
    await fs.writeFile(path.join(model, 'weights.bin'), weights.subarray(0, weights.length / 2));
    await expect(loadModel(model)).rejects.toThrow(/^model 'c': weights.bin is truncated \(\d+ of \d+ bytes\)$/);
    await fs.writeFile(path.join(model, 'weights.bin'), weights);
    await fs.writeFile(path.join(model, 'manifest.json'), '{ not json');
    await expect(loadModel(model)).rejects.toThrow("model 'c': manifest.json is not valid JSON");
  });

  it('refuses a tokenizer that does not match the model', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 't', { steps: 2 });
    const file = path.join(dir, 't', 'tokenizer.json');
    const json = JSON.parse(await fs.readFile(file, 'utf8'));
    json.vocab = json.vocab.slice(0, -1);
    await fs.writeFile(file, JSON.stringify(json));
    await expect(loadModel(path.join(dir, 't'))).rejects.toThrow(/^model 't': tokenizer does not match the model \(vocabulary \d+, model expects \d+\)$/);
  });

  it('puts back a model whose save was killed between the two renames', async () => {
    const dir = tempDir();
    await makeTinyModel(dir, 'k', { steps: 2 });
    await fs.rename(path.join(dir, 'k'), path.join(dir, '.k.old-123-456'));
    expect(await recoverInterruptedSaves(dir)).toEqual(['k']);
    const loaded = await loadModel(path.join(dir, 'k'));
    expect(loaded.manifest.name).toBe('k');
    loaded.dispose();
  });
});
