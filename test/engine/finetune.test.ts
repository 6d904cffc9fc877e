import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { makeTinyModel, useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, readManifest } from '../../src/engine/store/checkpoint.js';
import { runTraining } from '../../src/engine/training/train.js';
import { listModels, lineageTree } from '../../src/engine/store/registry.js';
import type { FinetuneRequest, TrainEvent } from '../../src/engine/types.js';

const tempDir = useTempDir();

const DISTINCT = 'to be or not to be, that is the question. whether tis nobler in the mind to suffer.\n'.repeat(30);
let modelsDir: string;
let dataFile: string;

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir();
  dataFile = writeCorpus(tempDir(), DISTINCT, 'hamlet.txt');
  await makeTinyModel(modelsDir, 'base', { steps: 40, evalInterval: 20 });
});

const finetune = (request: Partial<FinetuneRequest>, onEvent: (e: TrainEvent) => void = () => {}) =>
  runTraining({ kind: 'finetune', name: 'v', modelsDir, from: 'base', data: dataFile, steps: 30, ...request } as FinetuneRequest, onEvent, () => false, 'wasm');

async function weightsOf(name: string): Promise<Record<string, Float32Array>> {
  const loaded = await loadModel(path.join(modelsDir, name));
  const out: Record<string, Float32Array> = {};
  for (const w of loaded.model.weights) out[w.name] = (await w.variable.data()) as Float32Array;
  loaded.dispose();
  return out;
}

describe('fine-tuning', () => {
  it('lowers the loss on the new text and records its parent and report', async () => {
    const result = await finetune({ name: 'hamlet', learningRate: 3e-3 });
    const report = result.report!;
    expect(report.variant.onData.valLoss).toBeLessThan(report.base.onData.valLoss);
    const manifest = await readManifest(path.join(modelsDir, 'hamlet'));
    expect(manifest.parent).toBe('base');
    expect(manifest.finetune?.data).toBe(dataFile);
    expect(manifest.finetune?.report?.variant.onData.valLoss).toBeCloseTo(report.variant.onData.valLoss, 6);
    const tree = lineageTree(await listModels([modelsDir]));
    expect(tree.join('\n')).toMatch(/base[\s\S]*hamlet/);
  });

  it('leaves frozen layers unchanged', async () => {
    await finetune({ name: 'frozen', freeze: 1, learningRate: 3e-3, steps: 10 });
    const base = await weightsOf('base');
    const variant = await weightsOf('frozen');
    const loaded = await loadModel(path.join(modelsDir, 'base'));
    const groups = Object.fromEntries(loaded.model.weights.map((w) => [w.name, w.group]));
    loaded.dispose();
    let frozen = 0;
    let changed = 0;
    for (const name of Object.keys(base)) {
      const same = base[name].every((v, i) => v === variant[name][i]);
      if (groups[name] === 'embedding' || groups[name] === 'layer0') {
        expect(same, name).toBe(true);
        frozen++;
      } else if (!same) changed++;
    }
    expect(frozen).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(0);
  });

  it('stops early on a tiny text when validation loss stops improving', async () => {
    const tiny = writeCorpus(tempDir(), 'xq zv wy. '.repeat(12), 'tiny.txt');
    const result = await finetune({ name: 'early', data: tiny, steps: 2000, learningRate: 5e-2, patience: 2 });
    expect(result.stoppedBy).toBe('early-stop');
    expect(result.step).toBeLessThan(2000);
    expect(result.report?.stoppedEarly).toBe(true);
  });

  it('takes pasted text and counts what the base vocabulary does not know', async () => {
    const result = await finetune({ name: 'pasted', data: undefined, text: 'THE CAT SAT. '.repeat(40), steps: 5 });
    expect(result.report!.unknownFraction).toBeGreaterThan(0.5);
  });

  it('resumes a fine-tune with its layers still frozen', async () => {
    await finetune({ name: 'frozen-resumed', freeze: 1, learningRate: 3e-3, steps: 6 });
    const before = await weightsOf('frozen-resumed');
    // The fine-tune's data is a file: a resume is given it again (a path recorded in a model folder is not read on its own).
    const resumed = await runTraining({ kind: 'train', name: 'frozen-resumed', modelsDir, corpus: dataFile, resume: true, steps: 6 } as never, () => {}, () => false, 'wasm');
    expect(resumed.step).toBe(12);
    const after = await weightsOf('frozen-resumed');
    const base = await weightsOf('base');
    for (const name of Object.keys(base).filter((n) => n.startsWith('embedding/') || n.startsWith('block0/'))) {
      expect(after[name].every((v, i) => v === base[name][i]), name).toBe(true);
    }
    expect(Object.keys(before).some((n) => !after[n].every((v, i) => v === before[n][i]))).toBe(true);
  });

  it('resumes a fine-tune made from pasted text (the text is kept with the model)', async () => {
    await finetune({ name: 'pasted-resumed', data: undefined, text: 'the cat sat on the mat. '.repeat(40), steps: 4 });
    const resumed = await runTraining({ kind: 'train', name: 'pasted-resumed', modelsDir, resume: true, steps: 3 } as never, () => {}, () => false, 'wasm');
    expect(resumed.step).toBe(7);
    expect((await readManifest(path.join(modelsDir, 'pasted-resumed'))).finetune?.data).toBe('text');
  });

  it('refuses bad data with one line', async () => {
    const empty = writeCorpus(tempDir(), '', 'empty.txt');
    const tensorsBefore = tf.memory().numTensors;
    await expect(finetune({ name: 'bad1', data: '/no/such/file.txt' })).rejects.toThrow(/^[^\n]+$/);
    await expect(finetune({ name: 'bad2', data: empty })).rejects.toThrow(/empty/);
    await expect(finetune({ name: 'bad3', data: tempDir() })).rejects.toThrow(/director/);
    await expect(finetune({ name: 'bad4', from: 'nope' })).rejects.toThrow(/not found/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
