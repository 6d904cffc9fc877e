// Conversations as training examples for an instruct model: each is rendered with the model's own chat template,
// tokenized, and paired with a mask that is 1 exactly where the next token belongs to an assistant reply (its
// end-of-turn included), so the loss teaches the replies and never the prompts. A conversation longer than the
// window loses its oldest turns whole; batches pad to their longest conversation and mask the padding out.
import * as tf from '@tensorflow/tfjs-core';
import { assistantSpans, fitConversation, type ChatMessage } from '../chat/template.js';
import type { Instruct } from '../chat/instruct.js';
import type { Conversation } from '../data/conversations.js';
import { sparseCrossEntropy } from './loss.js';
import { figuresFrom } from './evaluate.js';
import type { BatchSource, TrainBatch } from './batches.js';
import type { EvalFigures, LanguageModel } from '../types.js';

export interface ChatExample {
  /** The rendered conversation's token ids. */
  ids: Int32Array;
  /** mask[i] is 1 when ids[i + 1] is an assistant token: it marks the targets, one shorter than ids. */
  mask: Uint8Array;
  /** Characters of the assistant replies, for bits per character. */
  assistantChars: number;
}

export interface ChatExamples {
  train: ChatExample[];
  val: ChatExample[];
  /** Conversations that lost their oldest turns to fit the window. */
  shortened: number;
}

/** Share of the conversations held out (at least one) for early stopping and the learned/forgot report. */
export const HELD_OUT_SHARE = 0.1;

/** Indices of the held-out conversations: evenly spread over the file, so a file sorted by topic still mixes. */
export function heldOutIndices(count: number): Set<number> {
  if (count < 2) throw new Error(`fine-tuning on conversations needs at least 2 (one is held out to measure progress); the file has ${count}`);
  const held = Math.max(1, Math.round(count * HELD_OUT_SHARE));
  return new Set(Array.from({ length: held }, (_, i) => Math.floor(((i + 0.5) * count) / held)));
}

/**
 * Render, fit and tokenize `conversations` for a window of `window` tokens (a conversation of window + 1 tokens
 * gives window predictions), and split off the held-out ones. Throws one line naming the file line of a
 * conversation whose last turn alone does not fit.
 */
export function chatExamples(
  conversations: readonly Conversation[],
  instruct: Instruct,
  encode: (text: string) => number[],
  window: number,
  name: string,
): ChatExamples {
  const held = heldOutIndices(conversations.length);
  const out: ChatExamples = { train: [], val: [], shortened: 0 };
  const count = (ms: readonly ChatMessage[]) => encode(instruct.template.render(ms, false)).length;
  conversations.forEach((c, i) => {
    // Messages after the last reply teach nothing; without them, fitting keeps a reply in the newest turn.
    const lastReply = c.messages.map((m) => m.role).lastIndexOf('assistant');
    const messages = c.messages.slice(0, lastReply + 1);
    let fitted: ChatMessage[];
    try {
      const fit = fitConversation(messages, count, window + 1);
      fitted = fit.messages;
      if (fit.dropped > 0) out.shortened++;
    } catch {
      const lastUser = messages.map((m) => m.role).lastIndexOf('user');
      const system = messages[0]?.role === 'system' ? [messages[0]] : [];
      const size = count([...system, ...messages.slice(Math.max(lastUser, system.length))]);
      throw new Error(`${name} line ${c.line}: its last turn needs ${size} tokens with the template, more than the window of ${window + 1}; shorten or remove it`);
    }
    const { ids, spans } = assistantSpans(instruct.template, fitted, encode);
    const mask = new Uint8Array(Math.max(0, ids.length - 1));
    for (const [start, end] of spans) mask.fill(1, Math.max(0, start - 1), end - 1);
    const assistantChars = fitted.reduce((n, m) => n + (m.role === 'assistant' ? m.content.length : 0), 0);
    (held.has(i) ? out.val : out.train).push({ ids: Int32Array.from(ids), mask, assistantChars });
  });
  return out;
}

/** Inputs, targets and mask of `examples` padded to the longest (padding: token `padId`, masked out). */
export function chatBatch(examples: readonly ChatExample[], padId: number): TrainBatch {
  const T = Math.max(1, ...examples.map((e) => e.ids.length - 1));
  const B = examples.length;
  const x = new Int32Array(B * T).fill(padId);
  const y = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  examples.forEach((e, b) => {
    const n = e.ids.length - 1;
    x.set(e.ids.subarray(0, n), b * T);
    y.set(e.ids.subarray(1), b * T);
    mask.set(e.mask, b * T);
    tokens += n;
  });
  return { x: tf.tensor2d(x, [B, T], 'int32'), y: tf.tensor1d(y, 'int32'), mask: tf.tensor1d(mask, 'float32'), tokens };
}

/** The masked loss of `examples` (assistant tokens only), in batches; and how many tokens it covered. */
export async function maskedLoss(model: LanguageModel, examples: readonly ChatExample[], batchSize: number, padId: number): Promise<{ loss: number; tokens: number }> {
  let total = 0;
  let tokens = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const chunk = examples.slice(i, i + batchSize);
    const counted = chunk.reduce((n, e) => n + e.mask.reduce((a, b) => a + b, 0), 0);
    if (counted === 0) continue;
    const batch = chatBatch(chunk, padId);
    const loss = tf.tidy(() => {
      const logits = tf.reshape(model.apply(batch.x, false), [-1, model.config.vocabSize]) as tf.Tensor2D;
      return sparseCrossEntropy(logits, batch.y, batch.mask);
    });
    tf.dispose([batch.x, batch.y, batch.mask!]);
    total += (await loss.data())[0] * counted;
    loss.dispose();
    tokens += counted;
  }
  return { loss: tokens === 0 ? NaN : total / tokens, tokens };
}

/** Loss, perplexity and bits per character of the assistant replies of held-out conversations. */
export async function chatFigures(model: LanguageModel, examples: readonly ChatExample[], batchSize: number, padId: number): Promise<EvalFigures> {
  const { loss, tokens } = await maskedLoss(model, examples, batchSize, padId);
  return figuresFrom(loss, tokens, examples.reduce((n, e) => n + e.assistantChars, 0));
}

/** Random training conversations, padded; the held-out loss over a fixed spread of held-out ones. */
export function conversationBatches(examples: ChatExamples, batchSize: number, evalBatches: number, padId: number): BatchSource {
  const { train } = examples;
  const wanted = Math.max(1, evalBatches) * batchSize;
  const step = Math.max(1, examples.val.length / wanted);
  const val = Array.from({ length: Math.min(wanted, examples.val.length) }, (_, i) => examples.val[Math.floor(i * step)]!);
  return {
    next(random) {
      return chatBatch(
        Array.from({ length: batchSize }, () => train[Math.floor(random() * train.length)]!),
        padId,
      );
    },
    valLoss: async (model) => (await maskedLoss(model, val, batchSize, padId)).loss,
  };
}
