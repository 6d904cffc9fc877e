// Token streams for training and validation, and the batches drawn from them.
import * as tf from '@tensorflow/tfjs-core';
import type { Tokenizer } from '../types.js';
import type { Random } from '../sample.js';

export interface TokenSplits {
  train: Int32Array;
  val: Int32Array;
  /** Characters behind each split, for bits per character. */
  trainChars: number;
  valChars: number;
  /** Pieces the tokenizer did not know, over both splits, and in the validation split alone. */
  unknown: number;
  valUnknown: number;
}

/** Documents are joined by a blank line so one book's end does not run into the next's start. */
export const DOCUMENT_SEPARATOR = '\n\n';

export function encodeText(tokenizer: Tokenizer, texts: string[]): { ids: Int32Array; chars: number; unknown: number } {
  const joined = texts.join(DOCUMENT_SEPARATOR);
  const { ids, unknown } = tokenizer.encode(joined);
  return { ids: Int32Array.from(ids), chars: joined.length, unknown };
}

export function encodeSplits(tokenizer: Tokenizer, split: { train: string[]; val: string[] }): TokenSplits {
  const train = encodeText(tokenizer, split.train);
  const val = encodeText(tokenizer, split.val);
  return {
    train: train.ids,
    val: val.ids,
    trainChars: train.chars,
    valChars: val.chars,
    unknown: train.unknown + val.unknown,
    valUnknown: val.unknown,
  };
}

export interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** Inputs [B, T] and flattened next-token targets [B*T] starting at the given offsets. */
export function batchAt(tokens: Int32Array, offsets: readonly number[], seqLength: number): Batch {
  const x = new Int32Array(offsets.length * seqLength);
  const y = new Int32Array(offsets.length * seqLength);
  offsets.forEach((offset, row) => {
    x.set(tokens.subarray(offset, offset + seqLength), row * seqLength);
    y.set(tokens.subarray(offset + 1, offset + seqLength + 1), row * seqLength);
  });
  return { x: tf.tensor2d(x, [offsets.length, seqLength], 'int32'), y: tf.tensor1d(y, 'int32') };
}

/** Random windows, as nanoGPT's get_batch: reproducible for a given random source. */
export function randomOffsets(tokens: Int32Array, seqLength: number, batchSize: number, random: Random): number[] {
  const span = tokens.length - seqLength - 1;
  return Array.from({ length: batchSize }, () => Math.floor(random() * (span + 1)));
}

/** Evenly spaced windows over the whole split: the same every evaluation, so val losses compare. */
export function evenOffsets(tokens: Int32Array, seqLength: number, count: number): number[] {
  const span = tokens.length - seqLength - 1;
  if (span < 0) return [];
  if (count <= 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * span) / (count - 1)));
}

/** The longest window both splits can feed, capped at the wanted length. */
export function usableSeqLength(splits: TokenSplits, wanted: number): number {
  return Math.min(wanted, splits.train.length - 1, splits.val.length - 1);
}
