// Generation from an imported Hugging Face GPT-2: greedy output as the PyTorch reference, the end-of-text token
// stopping it (unless ignored), and control bytes from a byte-level model never reaching the terminal raw.
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import { generate, visible } from '../../src/engine/sample.js';
import { loadModel, type LoadedModel } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';

const DIR = path.resolve('test/fixtures/hf/tiny-gpt2');
const ref = JSON.parse(readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as { greedy: { prompt_text: string; tokens: number[] } };
const greedy = { maxTokens: 20, temperature: 0, topK: 0, topP: 1 };
let loaded: LoadedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-gen-'));
  loaded = await loadModel((await importHfModel({ dir: DIR, modelsDir })).dir);
});

/** The same model with other end-of-text ids. */
function withEos(ids: number[]): LoadedModel {
  return { ...loaded, tokenizer: Object.create(loaded.tokenizer, { eosIds: { value: ids } }) };
}

it('continues the prompt with the reference greedy tokens, control characters made visible', async () => {
  let streamed = '';
  const result = await generate(loaded, ref.greedy.prompt_text, greedy, (d) => (streamed += d));
  expect(result.tokens).toBe(20);
  expect(result.stoppedBy).toBe('max-tokens');
  const raw = loaded.tokenizer.decode(ref.greedy.tokens);
  expect(raw).toMatch(/[\u0000-\u0008\u000b-\u001f]/); // the reference output does hold control bytes
  expect(result.text).toBe(visible(raw));
  expect(streamed).toBe(result.text);
  expect(streamed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
});

it('stops at the end-of-text token, and runs past it with ignoreEos', async () => {
  const eos = ref.greedy.tokens[3]!;
  const stopped = await generate(withEos([eos]), ref.greedy.prompt_text, greedy, () => {});
  expect(stopped.stoppedBy).toBe('eos');
  expect(stopped.tokens).toBe(3);
  expect(stopped.text).toBe(visible(loaded.tokenizer.decode(ref.greedy.tokens.slice(0, 3))));
  const ignored = await generate(withEos([eos]), ref.greedy.prompt_text, { ...greedy, ignoreEos: true }, () => {});
  expect(ignored.tokens).toBe(20);
});

it('shows ESC, CR, DEL and C1 controls as visible characters, keeping newlines and tabs', () => {
  expect(visible('a\u001b[31mred\r\n\tb\u007f\u0085')).toBe('a\u241b[31mred\u240d\n\tb\u2421\ufffd');
});
