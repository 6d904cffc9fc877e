// Held-out loss, perplexity, bits per character and next-token accuracy (teacher-forced: each guess sees
// the true text before it), plus the free-running continuation check of continuation.ts.
import * as tf from '@tensorflow/tfjs-core';
import { batchAt, encodeSplits, evenOffsets } from '../data/dataset.js';
import { loadCorpus, recordedCorpus, splitDocuments } from '../data/corpus.js';
import { isConversationFile } from '../data/conversations.js';
import { sparseCrossEntropy } from './loss.js';
import { perTokenSurprisal, type TokenSurprisal } from './per-token.js';
import { continuationAccuracy, type ContinuationFigures } from './continuation.js';
import type { EvalFigures, LanguageModel } from '../types.js';
import type { LoadedModel } from '../store/checkpoint.js';

export interface EvalReport extends EvalFigures {
  corpus: string;
  tokens: number;
  /** Share of scored tokens whose argmax, given the true text before it, is the true next token. */
  nextTokenAccuracy: number;
  /** Free-running greedy continuation of held-out passages, compared token by token with the original. */
  continuation: ContinuationFigures;
  /** Pieces of the held-out text the model's vocabulary lacks: characters skipped (char) or words read as <unk> (word). */
  outOfVocabulary: number;
  unknownAs: 'skipped' | 'unk';
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
  return (await scoreWindows(model, tokens, offsets, seqLength, batchSize)).loss;
}

/** Mean loss and teacher-forced next-token accuracy over every position of the windows at `offsets`. */
export async function scoreWindows(
  model: LanguageModel,
  tokens: Int32Array,
  offsets: readonly number[],
  seqLength: number,
  batchSize: number,
): Promise<{ loss: number; accuracy: number }> {
  let total = 0;
  let correct = 0;
  let count = 0;
  for (let i = 0; i < offsets.length; i += batchSize) {
    const chunk = offsets.slice(i, i + batchSize);
    const batch = batchAt(tokens, chunk, seqLength);
    const [loss, right] = tf.tidy(() => {
      const logits = tf.reshape(model.apply(batch.x, false), [-1, model.config.vocabSize]) as tf.Tensor2D;
      return [sparseCrossEntropy(logits, batch.y), tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), batch.y), 'int32'))];
    });
    tf.dispose([batch.x, batch.y]);
    total += (await loss.data())[0] * chunk.length;
    correct += (await right.data())[0];
    count += chunk.length;
    tf.dispose([loss, right]);
  }
  return { loss: count === 0 ? NaN : total / count, accuracy: count === 0 ? NaN : correct / (count * seqLength) };
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
): Promise<EvalFigures & { tokens: number; nextTokenAccuracy: number }> {
  const offsets = lossWindows(tokens, seqLength, maxTokens);
  const windows = offsets.length;
  const { loss, accuracy } = await scoreWindows(model, tokens, offsets, seqLength, 16);
  const covered = windows * seqLength;
  // Characters per token measured over the whole split, applied to the covered windows.
  return { ...figuresFrom(loss, covered, (chars * covered) / tokens.length), tokens: covered, nextTokenAccuracy: accuracy };
}

/** Where the loss windows of lossFigures start. */
export function lossWindows(tokens: Int32Array, seqLength: number, maxTokens = 20_000): number[] {
  const windows = Math.max(1, Math.min(Math.floor((tokens.length - 1) / seqLength), Math.floor(maxTokens / seqLength)));
  if (tokens.length < seqLength + 1) throw new Error(`held-out text is too short to evaluate (${tokens.length} tokens)`);
  return evenOffsets(tokens, seqLength, windows);
}

/** Held-out loss / perplexity / bits per char / next-token accuracy, and the continuation check, on `corpus` (default: the model's own). */
export async function evaluateModel(
  loaded: LoadedModel,
  options: { corpus?: string; maxTokens?: number; perToken?: boolean } = {},
): Promise<EvalReport> {
  const { manifest, model, tokenizer } = loaded;
  const recorded = manifest.finetune?.data ?? manifest.corpus.name;
  if (isConversationFile(options.corpus ?? recorded)) {
    const what = options.corpus ? `--corpus ${options.corpus} is conversations` : `${loaded.name} was fine-tuned on conversations`;
    throw new Error(`eval scores held-out text and ${what}: give a text --corpus (the loss on held-out replies is in the report printed at the end of the fine-tune)`);
  }
  const corpusName = options.corpus ?? recordedCorpus(manifest.finetune?.data ?? manifest.corpus.name, loaded.name, 'with --corpus FILE');
  const splits = encodeSplits(tokenizer, splitDocuments(await loadCorpus(corpusName)));
  const outOfVocabulary = splits.valUnknown;
  const seqLength = Math.min(model.contextLength ?? manifest.train.seqLength, splits.val.length - 1);
  if (seqLength < 2) throw new Error(`the held-out part of '${corpusName}' is too short to evaluate`);
  const figures = await lossFigures(model, splits.val, splits.valChars, seqLength, options.maxTokens);
  const continuation = await continuationAccuracy(model, tokenizer, splits.val, seqLength);
  const perToken = options.perToken
    ? { perToken: await perTokenSurprisal(model, tokenizer, splits.val, lossWindows(splits.val, seqLength, options.maxTokens), seqLength) }
    : {};
  return { corpus: corpusName, ...figures, continuation, outOfVocabulary, unknownAs: tokenizer.unkId === null ? 'skipped' : 'unk', ...perToken };
}
