// Chat mode in the pane, with the real engine: /use of an imported instruct model turns the conversation on,
// /system is kept per model, a reply is the template's greedy answer, and a conversation past the 64-position
// window loses whole turns, with a line saying so.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, it } from 'vitest';
import { importHfModel } from '../../src/engine/store/hf-import.js';
import { visible } from '../../src/engine/sample.js';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { Chat } from '../../src/ui/session.js';
import { realEngine } from '../../src/ui/real-engine.js';
import { useTempDir } from '../support/temp.js';

const HF = path.resolve('test/fixtures/hf');
const tempDir = useTempDir();
let modelsDir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  modelsDir = tempDir('inkling-instruct-chat-');
  await importHfModel({ dir: path.join(HF, 'tiny-llama'), modelsDir, name: 'chatty' });
});

it('answers in turns through the template, with /system kept per model', async () => {
  const chat = new Chat({ modelsDir, configDir: tempDir('inkling-instruct-config-'), deps: realEngine(modelsDir), backendLabel: 'cpu' });
  await chat.start();
  await chat.submit('/use chatty');
  const texts = () => chat.getView().turns.map((t) => t.text);
  expect(texts().join('\n')).toContain('Chat mode: chatty answers through its chat template');
  expect(chat.settings.context).toBe(true);
  expect(chat.getView().model?.instruct).toBe(true);
  await chat.submit('/system Be brief.');
  expect(chat.systemPrompt).toBe('Be brief.');
  await chat.submit('/set temperature 0');
  await chat.submit('/max 20');
  await chat.submit('Hi there');
  const ref = JSON.parse(readFileSync(path.join(HF, 'tiny-llama/reference.json'), 'utf8')).greedy as { tokens: number[] };
  const loaded = await loadModel(path.join(modelsDir, 'chatty'));
  const replies = () => chat.getView().turns.filter((t) => t.kind === 'reply');
  expect(replies()[0]!.text).toBe(visible(loaded.tokenizer.decode(ref.tokens)));
  loaded.dispose();
  // The first exchange plus a second message no longer fit 64 positions with room for the reply.
  await chat.submit('And now?');
  expect(replies()).toHaveLength(2);
  expect(texts().join('\n')).toMatch(/longer than chatty's window: its oldest 2 messages were left out \(whole turns\)/);
  await chat.shutdown();
});
