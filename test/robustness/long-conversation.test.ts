// Long conversations: 1,000 replies and 100 model switches through the real chat session keep
// the tfjs tensor count flat. (RSS over time is measured by bench/soak.ts, not asserted here.)
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Chat } from '../../src/ui/session.js';
import { realEngine } from '../../src/ui/real-engine.js';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

let modelsDir: string;

beforeAll(async () => {
  modelsDir = tempDir('inkling-long-');
  const corpus = writeCorpus(tempDir());
  await makeTinyModel(modelsDir, 'g', { corpus, arch: 'gpt', steps: 2, evalInterval: 2 });
  await makeTinyModel(modelsDir, 'r', { corpus, arch: 'lstm', steps: 2, evalInterval: 2 });
});

function session(): Chat {
  const chat = new Chat({ modelsDir, configDir: tempDir(), deps: realEngine(modelsDir), backendLabel: 'wasm' });
  chat.setSetting('maxTokens', 3);
  chat.setSetting('seed', 1);
  return chat;
}

const errors = (chat: Chat) => chat.getView().turns.filter((t) => t.kind === 'error');

describe('a long conversation', () => {
  it('1,000 replies keep the tensor count flat (context on, so prompts fill the window)', async () => {
    const before = tf.memory().numTensors;
    const chat = session();
    chat.setSetting('context', true);
    await chat.use('g');
    await chat.submit('the cat');
    const level = tf.memory().numTensors;
    for (let i = 1; i <= 1000; i++) {
      await chat.submit(i % 2 ? 'the dog' : 'a mat');
      if (i % 100 === 0) expect(tf.memory().numTensors, `after reply ${i}`).toBe(level);
    }
    expect(chat.getView().turns.filter((t) => t.kind === 'reply')).toHaveLength(1001);
    expect(errors(chat)).toEqual([]);
    await chat.shutdown();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('100 model switches (load, reply, dispose) keep the tensor count flat', async () => {
    const before = tf.memory().numTensors;
    const chat = session();
    const levels: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const name = i % 2 ? 'g' : 'r';
      await chat.use(name);
      await chat.submit('the');
      levels[name] ??= tf.memory().numTensors;
      expect(tf.memory().numTensors, `switch ${i} to ${name}`).toBe(levels[name]);
    }
    // /compare-style replies from a model that is not the current one load and free it each time.
    for (let i = 0; i < 10; i++) await chat.generateWith('r', 'the', { maxTokens: 3, temperature: 0, topK: 0, topP: 1 }, () => {});
    expect(tf.memory().numTensors).toBe(levels.g);
    expect(errors(chat)).toEqual([]);
    await chat.shutdown();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a huge pasted prompt', () => {
  it('feeds only its tail (a recurrent model would run every token), says so, and the chat goes on', async () => {
    const { MAX_PROMPT_TOKENS } = await import('../../src/engine/sample.js');
    const before = tf.memory().numTensors;
    const chat = session();
    await chat.use('r');
    const paste = 'the cat sat on the mat. '.repeat(40_000); // ~1 MB
    await chat.submit(paste);
    const turns = chat.getView().turns;
    expect(turns.map((t) => t.kind)).toEqual(['user', 'reply', 'info']);
    const left = (paste.length - MAX_PROMPT_TOKENS).toLocaleString('en-US');
    expect(turns[2]!.text).toMatch(new RegExp(`The prompt is longer than r can see: it continued from its end and left out the first ${left} chars`));
    await chat.submit('the');
    expect(errors(chat)).toEqual([]);
    await chat.shutdown();
    expect(tf.memory().numTensors).toBe(before);
  });
});
