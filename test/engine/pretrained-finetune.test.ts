// End to end on a tiny imported GPT-2: full fine-tuning lowers the loss on the new text, keeps the lineage, leaves
// frozen layers alone, and the variant exports to a Hugging Face folder that imports back to the same logits.
import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, readManifest } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';
import { exportModel } from '../../src/engine/store/export/index.js';
import { runTraining } from '../../src/engine/training/train.js';
import { listModels, lineageTree } from '../../src/engine/store/registry.js';
import type { FinetuneRequest } from '../../src/engine/types.js';

const tempDir = useTempDir();
const TEXT = 'the quick brown fox jumps over the lazy dog. hello world!\n'.repeat(60);
let modelsDir: string;
let dataFile: string;

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir();
  dataFile = writeCorpus(tempDir(), TEXT, 'fox.txt');
  await importHfModel({ dir: path.resolve('test/fixtures/hf/tiny-gpt2'), modelsDir, name: 'tiny' });
});

it('fine-tunes an imported GPT-2: loss falls, lineage kept, tensor count flat, export round-trips', async () => {
  const before = tf.memory().numTensors;
  const result = await runTraining(
    { kind: 'finetune', name: 'tiny-fox', modelsDir, from: 'tiny', data: dataFile, steps: 40, learningRate: 3e-3, batchSize: 2 } as FinetuneRequest,
    () => {},
    () => false,
    'wasm',
  );
  expect(tf.memory().numTensors).toBe(before);
  const report = result.report!;
  expect(report.variant.onData.valLoss).toBeLessThan(report.base.onData.valLoss - 0.3);
  const manifest = await readManifest(path.join(modelsDir, 'tiny-fox'));
  expect(manifest.parent).toBe('tiny');
  expect(manifest.arch).toBe('gpt2');
  expect(manifest.train.batchSize).toBe(2); // --batch 2 (the imported default is 4)
  expect(lineageTree(await listModels([modelsDir])).join('\n')).toMatch(/tiny[\s\S]*tiny-fox/);

  const variant = await loadModel(path.join(modelsDir, 'tiny-fox'));
  const out = path.join(tempDir(), 'hf');
  await exportModel(variant, 'hf', out);
  const again = await loadModel((await importHfModel({ dir: out, modelsDir, name: 'tiny-fox-again' })).dir);
  const ids = variant.tokenizer.encode('the quick brown fox').ids;
  const logits = async (m: typeof variant) => {
    const t = tf.tidy(() => m.model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
    const v = [...((await t.data()) as Float32Array)];
    t.dispose();
    return v;
  };
  expect(await logits(again)).toEqual(await logits(variant));
  variant.dispose();
  again.dispose();
});
