// The tfjs-layers export loads with tf.loadLayersModel and gives Inkling's logits; other models are refused in one line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '#test/support/models.js';
import { createModel } from '../../models/index.js';
import { maxAbsDiff } from '#test/support/training.js';
import type { LoadedModel } from '../checkpoint.js';
import type { Manifest, ModelConfig } from '../../types.js';
import { checkExportTarget, exportModel, loadExporter } from './index.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

function fakeLoaded(config: ModelConfig): LoadedModel {
  const model = createModel(config, 7);
  return {
    name: 'm',
    dir: '/nonexistent',
    manifest: { arch: config.arch, config } as Manifest,
    model,
    tokenizer: { toJSON: () => ({ kind: 'char', vocab: ['a'] }) } as unknown as LoadedModel['tokenizer'],
    dispose: () => model.dispose(),
  };
}

/** Read an exported folder the way a web page's tf.loadLayersModel('…/model.json') would. */
function fromFolder(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const group = manifest[0]!;
        const bytes = readFileSync(path.join(dir, group.paths[0]!));
        return [group.weights, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
      });
    },
  };
}

const lstm: ModelConfig = { arch: 'lstm', vocabSize: 23, embedding: 8, hidden: 12, layers: 2, dropout: 0 };

describe('tfjs-layers export', () => {
  beforeAll(useTestBackend);

  it('loads with tf.loadLayersModel and gives the same logits as Inkling (1e-5)', async () => {
    const loaded = fakeLoaded(lstm);
    const dir = path.join(tempDir('inkling-export-'), 'web');
    try {
      expect(await exportModel(loaded, 'tfjs-layers', dir)).toEqual(['model.json', 'group1-shard1of1.bin', 'tokenizer.json']);
      const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name)).toEqual(['Embedding', 'LSTM', 'LSTM', 'Dense']);
      const keras = await tfl.loadLayersModel(fromFolder(dir));
      const before = tf.memory().numTensors;
      const ids = [[1, 5, 22, 0, 3, 3, 9], [4, 4, 17, 2, 8, 11, 6]];
      const ours = tf.tidy(() => loaded.model.apply(tf.tensor2d(ids, [2, 7], 'int32'), false));
      const theirs = tf.tidy(() => keras.predict(tf.tensor2d(ids, [2, 7], 'float32')) as tf.Tensor);
      expect(theirs.shape).toEqual([2, 7, 23]);
      expect(maxAbsDiff(await ours.data(), await theirs.data())).toBeLessThan(1e-5);
      tf.dispose([ours, theirs]);
      expect(tf.memory().numTensors).toBe(before);
      keras.dispose();
    } finally {
      loaded.dispose();
    }
  });

  it('leaves no tensors behind', async () => {
    const loaded = fakeLoaded(lstm);
    const before = tf.memory().numTensors;
    await exportModel(loaded, 'tfjs-layers', path.join(tempDir('inkling-export-'), 'web'));
    expect(tf.memory().numTensors).toBe(before);
    loaded.dispose();
  });

  it('refuses GPT and GRU models in one line, saying why', async () => {
    const exporter = await loadExporter('tfjs-layers');
    expect(exporter.refuse({ arch: 'gpt' } as Manifest)).toMatch(/^tfjs-layers has no GPT layers: /);
    expect(exporter.refuse({ arch: 'gru' } as Manifest)).toMatch(/reset_after=True/);
    expect(exporter.refuse({ arch: 'lstm' } as Manifest)).toBeNull();
  });

  it('refuses a non-empty folder and a missing parent, and accepts a new or empty one', async () => {
    const root = tempDir('inkling-export-');
    expect(await checkExportTarget(path.join(root, 'new'))).toBeNull();
    expect(await checkExportTarget(root)).toBeNull();
    expect(await checkExportTarget(path.join(root, 'no', 'such'))).toMatch(/^no folder /);
    expect(await checkExportTarget(path.resolve(import.meta.dirname))).toMatch(/is not empty/);
  });
});
