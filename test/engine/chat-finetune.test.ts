// Fine-tuning a tiny instruct model (the tiny-llama fixture, SmolLM2's template) on a chats.jsonl: the loss
// covers the assistant replies only (prompt targets change nothing, not even the gradients), it falls on held-out
// conversations, long conversations lose whole turns, and a model without a chat template is refused in one line.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { useTestBackend } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { loadModel, readManifest, type LoadedModel } from '../../src/engine/store/checkpoint.js';
import { importHfModel } from '../../src/engine/store/hf-import.js';
import { runTraining } from '../../src/engine/training/train.js';
import { startTraining } from '../../src/engine/runtime/worker/client.js';
import { instructOf, reply, type Instruct } from '../../src/engine/chat/instruct.js';
import { chatBatch, chatExamples } from '../../src/engine/training/chat-examples.js';
import { sparseCrossEntropy } from '../../src/engine/training/loss.js';
import { gradients } from '../../src/engine/models/index.js';
import { evaluateModel } from '../../src/engine/training/evaluate.js';
import { makeRandom } from '../../src/engine/sample.js';
import type { Conversation } from '../../src/engine/data/conversations.js';
import type { ChatMessage } from '../../src/engine/chat/template.js';
import type { FinetuneRequest, TrainEvent } from '../../src/engine/types.js';

const tempDir = useTempDir();
let modelsDir: string;
let chatsFile: string;

/** User turns of random letters (unpredictable) answered by one fixed reply (learnable): only a masked loss can get near 0. */
function conversations(count: number): ChatMessage[][] {
  const random = makeRandom(5);
  const noise = () => Array.from({ length: 14 }, () => 'abcdefghijklmnopqrstuvwxyz '[Math.floor(random() * 27)]).join('');
  return Array.from({ length: count }, () => [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: noise() },
    { role: 'assistant', content: 'Sure thing.' },
  ]);
}

const asFile = (all: ChatMessage[][]) => all.map((messages) => JSON.stringify({ messages })).join('\n') + '\n';
const numbered = (all: ChatMessage[][]): Conversation[] => all.map((messages, i) => ({ line: i + 1, messages }));

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir();
  chatsFile = path.join(tempDir(), 'chats.jsonl');
  writeFileSync(chatsFile, asFile(conversations(20)));
  await importHfModel({ dir: path.resolve('test/fixtures/hf/tiny-llama'), modelsDir, name: 'tiny-chat' });
  await importHfModel({ dir: path.resolve('test/fixtures/hf/tiny-llama-untied'), modelsDir, name: 'tiny-base' });
});

describe('conversations as examples', () => {
  let loaded: LoadedModel;
  let instruct: Instruct;
  const encode = (text: string) => loaded.tokenizer.encode(text).ids;
  beforeAll(async () => {
    loaded = await loadModel(path.join(modelsDir, 'tiny-chat'));
    instruct = instructOf(loaded.tokenizer)!;
  });

  it('masks exactly the targets that are assistant tokens (each reply and its end-of-turn), and holds some out', () => {
    const two: ChatMessage[] = [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Fine day.' },
      { role: 'assistant', content: 'It is.' },
    ];
    const { train, val, shortened } = chatExamples(numbered([two, ...conversations(9)]), instruct, encode, 200, 'chats.jsonl');
    expect(shortened).toBe(0);
    expect([train.length, val.length]).toEqual([9, 1]);
    const { ids, mask } = train[0]!;
    expect(mask.length).toBe(ids.length - 1);
    const taught = [...mask].flatMap((m, i) => (m ? [ids[i + 1]!] : []));
    const text = loaded.tokenizer.decode(taught);
    expect(text.replace(/\s+/g, ' ')).toBe('Hello!<|im_end|> It is.<|im_end|> ');
  });

  it('drops the oldest turns of a long conversation whole, and names the line of one whose last turn cannot fit', () => {
    const long: ChatMessage[] = [{ role: 'system', content: 'Be kind.' }];
    for (let t = 0; t < 4; t++) long.push({ role: 'user', content: `question ${t}` }, { role: 'assistant', content: `answer ${t}` });
    const { train, shortened } = chatExamples(numbered([long, ...conversations(9)]), instruct, encode, 100, 'chats.jsonl');
    expect(shortened).toBe(1);
    const kept = loaded.tokenizer.decode([...train[0]!.ids]);
    expect(kept).toContain('answer 3');
    expect(kept).not.toContain('question 0');
    expect(kept.startsWith('<|im_start|>system\nBe kind.')).toBe(true);
    const huge = [{ role: 'user' as const, content: 'x '.repeat(80) }, { role: 'assistant' as const, content: 'ok' }];
    expect(() => chatExamples(numbered([...conversations(2), huge]), instruct, encode, 100, 'chats.jsonl')).toThrow(
      /^chats\.jsonl line 3: its last turn needs \d+ tokens with the template, more than the window of 101; shorten or remove it$/,
    );
  });

  it('gives prompt tokens no say: changing their targets changes neither the loss nor any gradient', async () => {
    const { train } = chatExamples(numbered(conversations(10)), instruct, encode, 64, 'chats.jsonl');
    const batch = chatBatch(train.slice(0, 3), instruct.stopIds[0]!);
    const mask = (await batch.mask!.data()) as Float32Array;
    const y = (await batch.y.data()) as Int32Array;
    const lossAndGrads = async (targets: Int32Array) => {
      const t = tf.tensor1d(targets, 'int32');
      const { value, grads } = gradients(loaded.model, null, () => {
        const logits = loaded.model.apply(batch.x, false);
        return sparseCrossEntropy(tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D, t, batch.mask);
      });
      const out = { loss: (await value.data())[0]!, grads: await Promise.all(Object.values(grads).map(async (g) => [...(await g.data())])) };
      tf.dispose([t, value, ...Object.values(grads)]);
      return out;
    };
    const original = await lossAndGrads(y);
    const promptChanged = y.map((id, i) => (mask[i] ? id : (id * 7 + 3) % 299));
    expect(promptChanged.some((id, i) => id !== y[i])).toBe(true);
    const changed = await lossAndGrads(promptChanged);
    expect(changed.loss).toBe(original.loss);
    expect(changed.grads).toEqual(original.grads);
    // The other way round: a changed reply target does change the loss.
    const firstReply = mask.findIndex((m) => m === 1);
    const replyChanged = y.map((id, i) => (i === firstReply ? (id + 1) % 299 : id));
    expect((await lossAndGrads(replyChanged)).loss).not.toBe(original.loss);
    tf.dispose([batch.x, batch.y, batch.mask!]);
  });
});

describe('finetune --data chats.jsonl', () => {
  it('learns the replies: the masked train loss nears 0 (the random prompts would keep an unmasked one high) and the held-out loss falls', async () => {
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    let start = '';
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'progress') losses.push(e.trainLoss);
      if (e.type === 'start') start = e.message;
    };
    const request: FinetuneRequest = { kind: 'finetune', name: 'tiny-chat-sure', modelsDir, from: 'tiny-chat', data: chatsFile, steps: 40, learningRate: 1e-2, patience: 0 };
    const result = await runTraining(request, onEvent, () => false, 'wasm');
    expect(tf.memory().numTensors).toBe(before);
    expect(start).toMatch(/on .*chats\.jsonl \(18 conversations, 2 held out; loss on the \d+ assistant tokens of [\d,]+\)/);
    const report = result.report!;
    console.log(`chat fine-tune: train loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}; held-out replies ${report.base.onData.valLoss.toFixed(3)} -> ${report.variant.onData.valLoss.toFixed(3)}`);
    // Masked it reaches ~0.001; with the mask dropped the memorised random prompts still leave ~0.5.
    expect(losses.at(-1)!).toBeLessThan(0.05);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
    expect(report.variant.onData.valLoss).toBeLessThan(report.base.onData.valLoss / 4);
    const manifest = await readManifest(path.join(modelsDir, 'tiny-chat-sure'));
    expect(manifest.parent).toBe('tiny-chat');
    expect(manifest.finetune?.data).toBe(chatsFile);
    const variant = await loadModel(path.join(modelsDir, 'tiny-chat-sure'));
    await expect(evaluateModel(variant)).rejects.toThrow(/^eval scores held-out text and tiny-chat-sure was fine-tuned on conversations: give a text --corpus/);
    await expect(evaluateModel(variant, { corpus: chatsFile })).rejects.toThrow(/^eval scores held-out text and --corpus .*chats\.jsonl is conversations/);
    variant.dispose();
    // A variant of it fine-tunes again: what it forgets is measured on the pretrained stand-in text, not the JSONL.
    const again = await runTraining({ ...request, name: 'tiny-chat-sure-2', from: 'tiny-chat-sure', steps: 2 }, () => {}, () => false, 'wasm');
    expect(again.report!.base.onBaseCorpus.valLoss).toBeCloseTo(report.variant.onBaseCorpus.valLoss, 4);
  });

  it('works with --lora: the reply loss falls, the tensor count stays flat, the variant (adapters on its base) answers with the learned reply, and it resumes', async () => {
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'progress') losses.push(e.trainLoss);
    };
    const lora = { rank: 4, alpha: 8, dropout: 0 };
    const request: FinetuneRequest = { kind: 'finetune', name: 'tiny-chat-lora', modelsDir, from: 'tiny-chat', data: chatsFile, steps: 40, learningRate: 1e-2, patience: 0, lora };
    const result = await runTraining(request, onEvent, () => false, 'wasm');
    expect(tf.memory().numTensors).toBe(before);
    const report = result.report!;
    console.log(`LoRA chat fine-tune: train loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}; held-out replies ${report.base.onData.valLoss.toFixed(3)} -> ${report.variant.onData.valLoss.toFixed(3)}`);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
    expect(report.variant.onData.valLoss).toBeLessThan(report.base.onData.valLoss / 4);
    const manifest = await readManifest(path.join(modelsDir, 'tiny-chat-lora'));
    expect(manifest.lora).toBeDefined();
    const variant = await loadModel(path.join(modelsDir, 'tiny-chat-lora'));
    try {
      const instruct = instructOf(variant.tokenizer)!;
      const messages: ChatMessage[] = [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'qwerty uiop' }];
      const answer = await reply(variant, instruct, messages, { maxTokens: 12, temperature: 0, topK: 0, topP: 1 }, () => {});
      expect(answer.text).toBe('Sure thing.');
    } finally {
      variant.dispose();
    }
    // It resumes on its conversations given again (a path recorded in a model folder is not read on its own).
    const resume = { kind: 'train', name: 'tiny-chat-lora', modelsDir, resume: true, steps: 4 } as never;
    await expect(runTraining(resume, () => {}, () => false, 'wasm')).rejects.toThrow(/trained on the file .*chats\.jsonl.*--corpus FILE/);
    await expect(runTraining({ ...(resume as object), corpus: 'austen-emma' } as never, () => {}, () => false, 'wasm')).rejects.toThrow(
      'tiny-chat-lora was fine-tuned on conversations: resume it with --corpus FILE.jsonl, not text',
    );
    expect(tf.memory().numTensors).toBe(before);
    const resumed = await runTraining({ ...(resume as object), corpus: chatsFile } as never, () => {}, () => false, 'wasm');
    expect(resumed.step).toBe(44);
    expect(resumed.bestValLoss!).toBeLessThanOrEqual(result.bestValLoss!);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs in the background worker, as /finetune in the chat does, with --lora', async () => {
    const events: TrainEvent[] = [];
    const handle = startTraining(
      { kind: 'finetune', name: 'tiny-chat-bg', modelsDir, from: 'tiny-chat', data: chatsFile, steps: 6, learningRate: 1e-2, lora: { rank: 2, alpha: 4, dropout: 0 }, backend: 'wasm' },
      (event) => events.push(event),
    );
    const result = await handle.done;
    expect(result.stoppedBy).toBe('steps');
    expect(events.find((e) => e.type === 'start')).toMatchObject({ message: expect.stringMatching(/18 conversations, 2 held out.*LoRA rank 2/) });
    expect(result.report!.variant.onData.valLoss).toBeLessThan(result.report!.base.onData.valLoss);
    expect((await readManifest(path.join(modelsDir, 'tiny-chat-bg'))).finetune?.report).toBeDefined();
  });

  it('refuses conversations for a model without a chat template, in one line', async () => {
    const request: FinetuneRequest = { kind: 'finetune', name: 'tiny-base-chat', modelsDir, from: 'tiny-base', data: chatsFile, steps: 2 };
    await expect(runTraining(request, () => {}, () => false, 'wasm')).rejects.toThrow(
      /^tiny-base has no chat template, so it cannot learn from conversations: give it a text file, or fine-tune an instruct model on .*chats\.jsonl$/,
    );
  });
});
