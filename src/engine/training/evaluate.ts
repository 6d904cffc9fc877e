// Held-out loss, perplexity and bits per character, and the seed tutorial's continuation check:
// prompt with held-out passages and compare the model's next tokens with the original text.
import * as tf from '@tensorflow/tfjs-core';
import { batchAt, encodeSplits, evenOffsets } from '../data/dataset.js';
import { loadCorpus, splitDocuments } from '../data/corpus.js';
import { sparseCrossEntropy } from './loss.js';
import { argmax } from '../sample.js';
import { perTokenSurprisal, type TokenSurprisal } from './per-token.js';
import type { EvalFigures, LanguageModel, Tokenizer } from '../types.js';
import type { LoadedModel } from '../store/checkpoint.js';

export interface ContinuationSample {
  prompt: string;
  expected: string;
  generated: string;
}

export interface EvalReport extends EvalFigures {
  corpus: string;
  tokens: number;
  /** Teacher-forced next-token accuracy over the held-out passages' continuations. */
  continuationAccuracy: number;
  samples: ContinuationSample[];
  /** Every scored token's surprisal, when asked for (eval --per-token). */
  perToken?: TokenSurprisal[];
}

/** Offsets of `batches` full batches spread evenly over the split. */
export function validationOffsets(tokens: Int32Array, seqLength: number, batchSize: number, batches: number): number[] {
  return evenOffsets(tokens, seqLength, Math.max(1, batches) * batchSize);
}

/** Mean next-token loss (nats) over windows at `offsets`, in batches; eval mode (no dropout). */
export async function estimateLoss(
  model: LanguageModel,
  tokens: Int32Array,
  offsets: readonly number[],
  seqLength: number,
  batchSize: number,
): Promise<number> {
  let total = 0;
  let count = 0;
  for (let i = 0; i < offsets.length; i += batchSize) {
    const chunk = offsets.slice(i, i + batchSize);
    const batch = batchAt(tokens, chunk, seqLength);
    const loss = tf.tidy(() => {
      const logits = model.apply(batch.x, false);
      return sparseCrossEntropy(tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D, batch.y);
    });
    tf.dispose([batch.x, batch.y]);
    total += (await loss.data())[0] * chunk.length;
    count += chunk.length;
    loss.dispose();
  }
  return count === 0 ? NaN : total / count;
}

export function figuresFrom(loss: number, tokens: number, chars: number): EvalFigures {
  return {
    valLoss: loss,
    perplexity: Math.exp(loss),
    bitsPerChar: chars > 0 ? (loss * tokens) / chars / Math.LN2 : NaN,
  };
}

/** Loss figures of `model` on held-out token windows covering up to `maxTokens` tokens. */
export async function lossFigures(
  model: LanguageModel,
  tokens: Int32Array,
  chars: number,
  seqLength: number,
  maxTokens = 20_000,
): Promise<EvalFigures & { tokens: number }> {
  const offsets = lossWindows(tokens, seqLength, maxTokens);
  const windows = offsets.length;
  const loss = await estimateLoss(model, tokens, offsets, seqLength, 16);
  const covered = windows * seqLength;
  // Characters per token measured over the whole split, applied to the covered windows.
  return { ...figuresFrom(loss, covered, (chars * covered) / tokens.length), tokens: covered };
}

/** Where the loss windows of lossFigures start. */
export function lossWindows(tokens: Int32Array, seqLength: number, maxTokens = 20_000): number[] {
  const windows = Math.max(1, Math.min(Math.floor((tokens.length - 1) / seqLength), Math.floor(maxTokens / seqLength)));
  if (tokens.length < seqLength + 1) throw new Error(`held-out text is too short to evaluate (${tokens.length} tokens)`);
  return evenOffsets(tokens, seqLength, windows);
}

/** Held-out loss / perplexity / bits per char, and the continuation check, on `corpus` (default: the model's own). */
export async function evaluateModel(
  loaded: LoadedModel,
  options: { corpus?: string; maxTokens?: number; perToken?: boolean } = {},
): Promise<EvalReport> {
  const { manifest, model, tokenizer } = loaded;
  const corpusName = options.corpus ?? manifest.finetune?.data ?? manifest.corpus.name;
  const splits = encodeSplits(tokenizer, splitDocuments(await loadCorpus(corpusName)));
  const seqLength = Math.min(model.contextLength ?? manifest.train.seqLength, splits.val.length - 1);
  if (seqLength < 2) throw new Error(`the held-out part of '${corpusName}' is too short to evaluate`);
  const figures = await lossFigures(model, splits.val, splits.valChars, seqLength, options.maxTokens);
  const continuation = await continuationCheck(model, tokenizer, splits.val, seqLength);
  const perToken = options.perToken
    ? { perToken: await perTokenSurprisal(model, tokenizer, splits.val, lossWindows(splits.val, seqLength, options.maxTokens), seqLength) }
    : {};
  return { corpus: corpusName, ...figures, ...continuation, ...perToken };
}

/**
 * Prompt with `passages` held-out windows; teacher-forced accuracy of the next-token guesses over the
 * second half of each window, and the free-running greedy continuation next to the original text.
 */
export async function continuationCheck(
  model: LanguageModel,
  tokenizer: Tokenizer,
  tokens: Int32Array,
  seqLength: number,
  passages = 4,
): Promise<{ continuationAccuracy: number; samples: ContinuationSample[] }> {
  const promptLength = Math.max(1, Math.floor(seqLength / 2));
  const continuationLength = seqLength - promptLength;
  const offsets = evenOffsets(tokens, seqLength, passages);
  let correct = 0;
  let total = 0;
  const samples: ContinuationSample[] = [];
  for (const offset of offsets) {
    const window = Array.from(tokens.subarray(offset, offset + seqLength + 1));
    const guesses = tf.tidy(() => tf.argMax(model.apply(tf.tensor2d(window.slice(0, seqLength), [1, seqLength], 'int32'), false), -1));
    const predicted = (await guesses.data()) as Int32Array;
    guesses.dispose();
    for (let t = promptLength - 1; t < seqLength; t++) {
      total++;
      if (predicted[t] === window[t + 1]) correct++;
    }
    const promptIds = window.slice(0, promptLength);
    const generated = await greedyContinuation(model, promptIds, continuationLength);
    const promptText = tokenizer.decode(promptIds);
    samples.push({
      prompt: promptText,
      expected: tokenizer.decode(window.slice(0, promptLength + continuationLength)).slice(promptText.length),
      generated: tokenizer.decode(promptIds.concat(generated)).slice(promptText.length),
    });
  }
  return { continuationAccuracy: total === 0 ? NaN : correct / total, samples };
}

async function greedyContinuation(model: LanguageModel, promptIds: number[], count: number): Promise<number[]> {
  const state = model.createState();
  const out: number[] = [];
  try {
    let next = promptIds;
    for (let i = 0; i < count; i++) {
      const logits = model.feed(state, next);
      const id = argmax((await logits.data()) as Float32Array);
      logits.dispose();
      out.push(id);
      next = [id];
    }
  } finally {
    state.dispose();
  }
  return out;
}
