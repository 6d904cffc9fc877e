// End to end on a tiny imported GPT-2 with LoRA: the adapters train (loss falls) while the folder keeps only them,
// the variant loads on top of its base and refuses a changed or missing base, resumes, and merging or exporting it
// gives the same model as full weights.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, readManifest, type LoadedModel } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';
import { exportModel } from '../../src/engine/store/export/index.js';
import { mergeToModel } from '../../src/engine/store/merge-model.js';
import { runTraining } from '../../src/engine/training/train.js';
import { listModels } from '../../src/engine/store/registry.js';
import type { FinetuneRequest, TrainRequest } from '../../src/engine/types.js';

const tempDir = useTempDir();
const TEXT = 'the quick brown fox jumps over the lazy dog. hello world!\n'.repeat(60);
const PROMPT = 'the quick brown fox';
let modelsDir: string;
let dataFile: string;
let report: NonNullable<Awaited<ReturnType<typeof runTraining>>['report']>;
let tensorsBefore: number;

const finetune = (extra: Partial<FinetuneRequest>) =>
  runTraining({ kind: 'finetune', modelsDir, from: 'tiny', data: dataFile, steps: 40, learningRate: 1e-2, ...extra } as FinetuneRequest, () => {}, () => false, 'wasm');

async function logits(m: LoadedModel): Promise<number[]> {
  const ids = m.tokenizer.encode(PROMPT).ids;
  const t = tf.tidy(() => m.model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
  const v = [...((await t.data()) as Float32Array)];
  t.dispose();
  return v;
}

const maxDiff = (a: number[], b: number[]) => (a.length !== b.length ? Infinity : Math.max(...a.map((x, i) => Math.abs(x - b[i]!))));

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir();
  dataFile = writeCorpus(tempDir(), TEXT, 'fox.txt');
  await importHfModel({ dir: path.resolve('test/fixtures/hf/tiny-gpt2'), modelsDir, name: 'tiny' });
  tensorsBefore = tf.memory().numTensors;
  report = (await finetune({ name: 'tiny-lora', lora: { rank: 4, alpha: 8, dropout: 0 } })).report!;
});

describe('a LoRA fine-tune of an imported GPT-2', () => {
  it('lowers the loss on the new text and leaves no tensors behind', () => {
    expect(report.variant.onData.valLoss).toBeLessThan(report.base.onData.valLoss - 0.3);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('keeps only the adapters and the manifest (no tokenizer, no base weights), pointing at its base', async () => {
    const dir = path.join(modelsDir, 'tiny-lora');
    expect((await fs.readdir(dir)).sort()).toEqual(['manifest.json', 'model.json', 'optimizer.bin', 'optimizer.json', 'weights.bin']);
    const manifest = await readManifest(dir);
    expect(manifest.parent).toBe('tiny');
    expect(manifest.lora).toMatchObject({ rank: 4, alpha: 8, dropout: 0 });
    expect((await fs.stat(path.join(dir, 'weights.bin'))).size).toBe(4 * manifest.lora!.parameters);
    const base = await readManifest(path.join(modelsDir, 'tiny'));
    expect(manifest.lora!.baseWeights).toBe(base.checksums!['weights.bin']);
  });

  it('loads on top of its base as a different model, and merges and exports to the same logits', async () => {
    const base = await loadModel(path.join(modelsDir, 'tiny'));
    const variant = await loadModel(path.join(modelsDir, 'tiny-lora'));
    const adapted = await logits(variant);
    expect(maxDiff(adapted, await logits(base))).toBeGreaterThan(0.1);
    base.dispose();

    const merged = await loadModel((await mergeToModel(path.join(modelsDir, 'tiny-lora'), modelsDir, 'tiny-merged')).dir);
    expect((await readManifest(merged.dir)).parent).toBe('tiny-lora');
    expect(maxDiff(await logits(merged), adapted)).toBeLessThan(1e-5);
    merged.dispose();

    const out = path.join(tempDir(), 'hf');
    await exportModel(variant, 'hf', out);
    variant.dispose();
    const again = await loadModel((await importHfModel({ dir: out, modelsDir, name: 'tiny-lora-hf' })).dir);
    expect(maxDiff(await logits(again), adapted)).toBeLessThan(1e-5);
    again.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('resumes its adapters where they stopped', async () => {
    const result = await runTraining({ kind: 'train', name: 'tiny-lora', modelsDir, corpus: dataFile, resume: true, steps: 5 } as unknown as TrainRequest, () => {}, () => false, 'wasm');
    expect(result.step).toBe(45);
    expect((await readManifest(path.join(modelsDir, 'tiny-lora'))).lora?.rank).toBe(4);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('a LoRA variant refuses in one line', () => {
  it('when its base has changed, or is missing', async () => {
    const copy = path.join(tempDir(), 'models');
    await fs.cp(modelsDir, copy, { recursive: true });
    const manifestFile = path.join(copy, 'tiny-lora', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, lora: { ...manifest.lora, baseWeights: 'f'.repeat(64) } }));
    await expect(loadModel(path.join(copy, 'tiny-lora'))).rejects.toThrow(/^model 'tiny-lora': its base 'tiny' has changed since the adapter was trained/);

    await fs.rm(path.join(copy, 'tiny'), { recursive: true });
    await expect(loadModel(path.join(copy, 'tiny-lora'))).rejects.toThrow(/^model 'tiny-lora' is a LoRA adapter on 'tiny', which is missing$/);
    const entry = (await listModels([copy])).find((e) => e.name === 'tiny-lora')!;
    expect(entry.ok ? '' : entry.error).toBe("LoRA adapter on 'tiny', which is missing");
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('for --lora with --freeze, on a model family without adapters, and on a LoRA variant', async () => {
    await expect(finetune({ name: 'x1', lora: { rank: 2, alpha: 4, dropout: 0 }, freeze: 1 })).rejects.toThrow(/^--freeze and --lora do not combine/);
    await expect(finetune({ name: 'x2', from: 'tiny-lora', lora: { rank: 2, alpha: 4, dropout: 0 } })).rejects.toThrow(/^tiny-lora is itself a LoRA adapter: merge it first/);
    await expect(finetune({ name: 'x3', lora: { rank: 64, alpha: 4, dropout: 0 } })).rejects.toThrow(/^--lora 64 is more than the smallest projection's size 32/);
    await expect(mergeToModel(path.join(modelsDir, 'tiny'), modelsDir, 'x4')).rejects.toThrow(/^tiny is not a LoRA variant/);
    expect(await fs.readdir(modelsDir)).not.toEqual(expect.arrayContaining(['x1', 'x2', 'x3', 'x4']));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
