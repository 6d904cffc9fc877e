import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHfModel, readHfFolder } from '../store/hf-folder.js';
import { parseGpt2Config } from './gpt2-config.js';
import { countParameters, createModel } from './index.js';
import type { LanguageModel } from '../types.js';

const HF = path.resolve('test/fixtures/hf');

interface Reference {
  inputs: number[][];
  logits: number[][][];
  greedy: { prompt: number[]; tokens: number[] };
}

const reference = (name: string) => JSON.parse(readFileSync(path.join(HF, name, 'reference.json'), 'utf8')) as Reference;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function load(name: string): Promise<LanguageModel> {
  return buildHfModel(await readHfFolder(path.join(HF, name)));
}

function maxDiff(a: ArrayLike<number>, b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Infinity;
}

describe.each(['tiny-gpt2', 'tiny-gpt2-f16'])('%s against the PyTorch reference', (name) => {
  it('gives the reference logits at every position (to 1e-4)', async () => {
    const model = await load(name);
    const ref = reference(name);
    for (const [s, ids] of ref.inputs.entries()) {
      const logits = tf.tidy(() => model.apply(tf.tensor2d([ids], [1, ids.length], 'int32'), false));
      const got = (await logits.data()) as Float32Array;
      logits.dispose();
      expect(maxDiff(got, ref.logits[s]!.flat())).toBeLessThan(1e-4);
    }
    model.dispose();
  });

  it('decodes the reference greedy tokens through its KV cache, and the cached logits match a full pass', async () => {
    const model = await load(name);
    const { prompt, tokens } = reference(name).greedy;
    const state = model.createState();
    let logits = model.feed(state, prompt);
    const got: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const next = (await tf.argMax(logits).data())[0]!;
      got.push(next);
      const last = (await logits.data()) as Float32Array;
      const full = tf.tidy(() => {
        const all = prompt.concat(got.slice(0, -1));
        return tf.slice(model.apply(tf.tensor2d([all], [1, all.length], 'int32'), false), [0, all.length - 1, 0], [1, 1, -1]);
      });
      expect(maxDiff(last, [...((await full.data()) as Float32Array)])).toBeLessThan(1e-4);
      full.dispose();
      logits.dispose();
      logits = model.feed(state, [next]);
    }
    logits.dispose();
    state.dispose();
    expect(got).toEqual(tokens);
    model.dispose();
  });
});

describe('gpt2 model', () => {
  it('keeps the tensor count flat through decoding past the window and through training passes', async () => {
    const model = await load('tiny-gpt2');
    const before = tf.memory().numTensors;
    const state = model.createState();
    for (let i = 0; i < 80; i++) (model.feed(state, [i % 297]) as tf.Tensor).dispose();
    state.dispose();
    const grads = tf.variableGrads(() => tf.tidy(() => tf.mean(model.apply(tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32'), true))) as tf.Scalar);
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('counts its parameters from the config as built', async () => {
    const model = await load('tiny-gpt2');
    expect(countParameters(model.config)).toBe(model.parameterCount());
    model.dispose();
    const c = parseGpt2Config({ architectures: ['GPT2LMHeadModel'], vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 });
    expect(countParameters(c)).toBe(124_439_808);
    const small = createModel({ ...c, vocabSize: 50, contextLength: 8, embedding: 8, heads: 2, inner: 32, layers: 1 }, 1);
    expect(small.parameterCount()).toBe(countParameters(small.config));
    small.dispose();
  });

  it('refuses unsupported architectures and options in one line naming them', () => {
    const base = { architectures: ['GPT2LMHeadModel'], vocab_size: 10, n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2 };
    expect(() => parseGpt2Config({ ...base, architectures: ['LlamaForCausalLM'] })).toThrow(
      'config.json: architecture LlamaForCausalLM is not supported (Inkling reads GPT2LMHeadModel)',
    );
    expect(() => parseGpt2Config({ ...base, activation_function: 'relu' })).toThrow('activation_function "relu" is not supported');
    expect(() => parseGpt2Config({ ...base, scale_attn_by_inverse_layer_idx: true })).toThrow('scale_attn_by_inverse_layer_idx is not supported');
    expect(() => parseGpt2Config({ ...base, n_head: 3 })).toThrow('n_embd 8 is not a multiple of n_head 3');
    expect(() => parseGpt2Config({ ...base, n_layer: 0 })).toThrow('n_layer must be a whole number above 0');
  });
});
