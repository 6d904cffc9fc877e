// The hf export: import -> export -> import gives bit-identical weights and identical logits; Inkling's gpt maps
// exactly onto GPT-2 (same logits through the gpt2 model); its char tokenizer survives as a tokenizer.json.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../models/index.js';
import { parseGpt2Config } from '../../models/gpt2-config.js';
import { CharTokenizer } from '../../data/tokenizers/index.js';
import { loadModel, type LoadedModel } from '../checkpoint.js';
import { importHfModel } from '../hf-import.js';
import { assignFromSafetensors } from '../hf-folder.js';
import { openSafetensors, readTensor } from '../safetensors.js';
import type { GptConfig, LanguageModel, Manifest } from '../../types.js';
import { exportModel, loadExporter } from './index.js';

const HF = path.resolve('test/fixtures/hf');
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-hf-export-'));
});

async function logits(model: LanguageModel, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}

describe('hf export of an imported GPT-2', () => {
  it.each(['tiny-gpt2', 'tiny-gpt2-f16'])('%s: import, export, import again gives bit-identical weights and logits', async (fixture) => {
    const models = path.join(tmp, `models-${fixture}`);
    const first = await loadModel((await importHfModel({ dir: path.join(HF, fixture), modelsDir: models, name: 'a' })).dir);
    const out = path.join(tmp, `export-${fixture}`);
    const files = await exportModel(first, 'hf', out);
    expect(files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt', 'generation_config.json']));
    const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 297, eos_token_id: 296 });
    const set = await openSafetensors(out);
    expect(set.entries.has('transformer.h.0.attn.c_attn.weight')).toBe(true);
    expect(set.entries.has('lm_head.weight')).toBe(false);
    const second = await loadModel((await importHfModel({ dir: out, modelsDir: models, name: 'b' })).dir);
    for (const [i, w] of first.model.weights.entries()) {
      const a = (await w.variable.data()) as Float32Array;
      const b = (await second.model.weights[i]!.variable.data()) as Float32Array;
      expect(second.model.weights[i]!.name).toBe(w.name);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer)), w.name).toBe(true);
    }
    const ids = [46, 77, 66, 68, 220, 84, 79, 273];
    expect([...(await logits(second.model, ids))]).toEqual([...(await logits(first.model, ids))]);
    expect(second.tokenizer.encode('Once upon a time').ids).toEqual(first.tokenizer.encode('Once upon a time').ids);
    first.dispose();
    second.dispose();
  });
});

describe('hf export of an Inkling gpt model', () => {
  const config: GptConfig = { arch: 'gpt', vocabSize: 12, contextLength: 16, layers: 2, heads: 2, embedding: 16, dropout: 0 };
  const vocab = [...'\n .,abcdehlo'];

  function gptLoaded(): LoadedModel {
    const model = createModel(config, 3);
    // Gains away from 1, so a gain exported to the wrong place shows in the logits.
    model.weights.forEach((w, i) => tf.tidy(() => w.variable.assign(tf.add(w.variable, tf.randomNormal(w.variable.shape, 0, 0.3, 'float32', i)))));
    return {
      name: 'g',
      dir: '/nonexistent',
      manifest: { arch: 'gpt', config, tokenizer: { kind: 'char', vocabSize: 12 } } as Manifest,
      model,
      tokenizer: new CharTokenizer(vocab),
      dispose: () => model.dispose(),
    };
  }

  it('gives the same logits as GPT2LMHeadModel with zero biases, and a tokenizer.json that encodes as the char tokenizer', async () => {
    const loaded = gptLoaded();
    const out = path.join(tmp, 'gpt-export');
    await exportModel(loaded, 'hf', out);
    const raw = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
    const gpt2 = createModel(parseGpt2Config(raw), 0);
    const set = await openSafetensors(out);
    await assignFromSafetensors(gpt2, set);
    expect([...(await readTensor(set.entries.get('transformer.h.1.mlp.c_fc.bias')!))].every((v) => v === 0)).toBe(true);
    const ids = [5, 6, 7, 1, 2, 3, 4, 0, 11, 10];
    const a = await logits(loaded.model, ids);
    const b = await logits(gpt2, ids);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
    const hf = new HfTokenizer(JSON.parse(await fs.readFile(path.join(out, 'tokenizer.json'), 'utf8')), {});
    const text = 'hello, cab.\nzz deal';
    expect(hf.encode(text).ids).toEqual(loaded.tokenizer.encode(text).ids);
    expect(hf.decode(loaded.tokenizer.encode(text).ids)).toBe(loaded.tokenizer.decode(loaded.tokenizer.encode(text).ids));
    loaded.dispose();
    gpt2.dispose();
  });

  it('refuses what has no exact mapping, in one line', async () => {
    const hf = await loadExporter('hf');
    expect(hf.refuse({ arch: 'gpt', tokenizer: { kind: 'word', vocabSize: 5 } } as Manifest)).toMatch(/^hf export of a gpt model needs a char tokenizer/);
    expect(hf.refuse({ arch: 'lstm' } as Manifest)).toBe('hf export writes GPT-2 (gpt2 and gpt models); lstm has no exact GPT2LMHeadModel layout');
  });
});
