// An imported instruct model answers through its own template: the prompt is what transformers renders, greedy
// decoding gives the reference tokens, end-of-turn ids stop it, and a long conversation loses whole turns.
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { importHfModel } from '../store/hf-import.js';
import { type LoadedModel, loadModel } from '../store/checkpoint.js';
import { instructOf, reply, withSystem } from './instruct.js';
import { visible } from '../sample.js';

const HF = path.resolve('test/fixtures/hf');
const greedy = { maxTokens: 20, temperature: 0, topK: 0, topP: 1 };

async function imported(fixture: string): Promise<LoadedModel> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-instruct-'));
  const { dir: modelDir } = await importHfModel({ dir: path.join(HF, fixture), modelsDir: dir });
  return loadModel(modelDir);
}

describe('instruct models', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a model without a chat template is a base model', async () => {
    const loaded = await imported('tiny-llama-untied');
    expect(instructOf(loaded.tokenizer)).toBeNull();
    loaded.dispose();
  });

  it('answers through its template: the reference greedy reply, stopped by an end-of-turn id', async () => {
    const loaded = await imported('tiny-llama');
    const instruct = instructOf(loaded.tokenizer)!;
    expect(instruct.stopIds).toContain(loaded.tokenizer.encode('<|im_end|>').ids[0]);
    const ref = JSON.parse(readFileSync(path.join(HF, 'tiny-llama/reference.json'), 'utf8')).greedy as { prompt_text: string; tokens: number[] };
    const messages = withSystem('Be brief.', [{ role: 'user', content: 'Hi there' }]);
    expect(instruct.template.render(messages, true)).toBe(ref.prompt_text);
    let streamed = '';
    const full = await reply(loaded, instruct, messages, greedy, (d) => (streamed += d));
    expect(full.tokens).toBe(20);
    expect(full.droppedMessages).toBe(0);
    // the reference's greedy tokens (random bytes, shown with control characters made visible)
    expect(full.text).toBe(visible(loaded.tokenizer.decode(ref.tokens)));
    // the same reply, ended where the reference's fourth token would come
    const cut = await reply(loaded, { ...instruct, stopIds: [...instruct.stopIds, ref.tokens[3]] }, messages, greedy, () => {});
    expect(cut.stoppedBy).toBe('eos');
    expect(cut.tokens).toBe(3);
    expect(streamed.startsWith(cut.text)).toBe(true);
    loaded.dispose();
  });

  it('drops the oldest turns whole to fit its 64-position window, keeping the system prompt', async () => {
    const loaded = await imported('tiny-qwen2');
    const instruct = instructOf(loaded.tokenizer)!;
    const turns = withSystem('S', [
      { role: 'user', content: 'one two three four five' },
      { role: 'assistant', content: 'six seven eight nine' },
      { role: 'user', content: 'ten eleven twelve' },
      { role: 'assistant', content: 'thirteen' },
      { role: 'user', content: 'fourteen' },
    ]);
    const result = await reply(loaded, instruct, turns, { ...greedy, maxTokens: 4 }, () => {});
    expect(result.droppedMessages % 2).toBe(0);
    expect(result.droppedMessages).toBeGreaterThan(0);
    loaded.dispose();
  });
});
