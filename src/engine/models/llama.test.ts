// The Llama family against logits computed by PyTorch code that shares nothing with Inkling
// (test/fixtures/hf, made by scripts/make-hf-fixtures.py): GQA, multi-query, llama3 and linear RoPE scaling,
// tied and untied heads, Qwen2's q/k/v biases, BF16 and F32 weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { LlamaModel } from './llama.js';
import { llamaConfigFromHf } from './llama-hf.js';
import { buildHfModel, readHfFolder } from '../store/hf-folder.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/hf');

interface Reference {
  inputs: number[][];
  logits: number[][][];
  greedy: { prompt: number[]; tokens: number[] };
}

async function load(folder: string): Promise<{ model: LlamaModel; ref: Reference }> {
  const dir = join(FIXTURES, folder);
  const model = (await buildHfModel(await readHfFolder(dir))) as LlamaModel;
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  return { model, ref };
}

function maxDiff(a: ArrayLike<number>, b: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(['tiny-llama', 'tiny-llama-untied', 'tiny-qwen2'])('Llama family: %s', (folder) => {
  let model: LlamaModel;
  let ref: Reference;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ model, ref } = await load(folder));
  });

  it('gives the reference logits at every position of a whole sequence', async () => {
    for (let s = 0; s < ref.inputs.length; s++) {
      const ids = ref.inputs[s];
      const logits = tf.tidy(() => model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
      const values = await logits.data();
      logits.dispose();
      expect(maxDiff(values, ref.logits[s].flat())).toBeLessThan(2e-4);
    }
  });

  it('gives the same logits token by token through the grouped KV cache, with flat tensor counts', async () => {
    const ids = ref.inputs[0];
    const state = model.createState();
    const before = tf.memory().numTensors;
    const first = model.feed(state, ids.slice(0, 5));
    expect(maxDiff(await first.data(), ref.logits[0][4])).toBeLessThan(2e-4);
    first.dispose();
    const grown = tf.memory().numTensors;
    for (let t = 5; t < ids.length; t++) {
      const next = model.feed(state, [ids[t]]);
      expect(maxDiff(await next.data(), ref.logits[0][t])).toBeLessThan(2e-4);
      next.dispose();
      expect(tf.memory().numTensors).toBe(grown);
    }
    // keys and values keep the grouped heads only
    const { kvHeads, headDim } = model.config;
    expect((state as unknown as { cache: { k: tf.Tensor }[] }).cache[0].k.shape).toEqual([1, kvHeads, ids.length, headDim]);
    state.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues the prompt greedily as the reference does', async () => {
    const state = model.createState();
    const out: number[] = [];
    let logits = model.feed(state, ref.greedy.prompt);
    for (let i = 0; i < ref.greedy.tokens.length; i++) {
      const values = await logits.data();
      const id = values.indexOf(Math.max(...values));
      logits.dispose();
      out.push(id);
      logits = model.feed(state, [id]);
    }
    logits.dispose();
    state.dispose();
    expect(out).toEqual(ref.greedy.tokens);
  });
});

describe('Llama config.json', () => {
  const base = JSON.parse(readFileSync(join(FIXTURES, 'tiny-llama/config.json'), 'utf8'));
  it.each([
    [{ hidden_act: 'gelu' }, 'hidden_act "gelu" is not supported'],
    [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope_scaling type "yarn" is not supported'],
    [{ num_key_value_heads: 3 }, 'not a multiple of num_key_value_heads 3'],
    [{ architectures: ['MistralForCausalLM'], model_type: 'mistral' }, 'MistralForCausalLM is not a Llama-family model'],
    [{ mlp_bias: true }, 'mlp_bias is not supported'],
  ])('refuses %j in one line', (patch, message) => {
    expect(() => llamaConfigFromHf({ ...base, ...patch })).toThrow(message);
  });
});
