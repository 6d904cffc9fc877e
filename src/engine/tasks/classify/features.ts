// From texts to one feature vector each: the base's hidden states, pooled (last token or mean).
// Texts longer than the base's window (gpt) are read as consecutive window-sized chunks whose pooled
// vectors are averaged; texts longer than maxTokens are cut there and counted. Recurrent bases read
// the whole (cut) text as one chunk.
import * as tf from '@tensorflow/tfjs-core';
import type { LanguageModel, Tokenizer } from '../../types.js';

export type Pool = 'last' | 'mean';

/** The longest input a classifier reads, in tokens; the rest of a longer text is dropped (and counted). */
export const DEFAULT_MAX_TOKENS = 512;
/** Chunks per forward pass when extracting features. */
const CHUNK_BATCH = 64;

export interface Chunked {
  chunks: number[][];
  /** For each chunk, the text it belongs to. */
  owner: number[];
  texts: number;
  /** Texts cut at maxTokens. */
  truncated: number;
}

export function hiddenOf(model: LanguageModel): NonNullable<LanguageModel['hidden']> {
  if (!model.hidden) throw new Error(`a ${model.config.arch} model has no hidden states to classify with`);
  return model.hidden.bind(model);
}

export function chunkTexts(tokenizer: Tokenizer, model: LanguageModel, texts: readonly string[], maxTokens: number): Chunked {
  const size = Math.min(model.contextLength ?? maxTokens, maxTokens);
  const chunks: number[][] = [];
  const owner: number[] = [];
  let truncated = 0;
  texts.forEach((text, i) => {
    let ids = tokenizer.encode(text).ids;
    // A text of only unknown characters still needs a position to pool: read it as token 0.
    if (ids.length === 0) ids = [0];
    if (ids.length > maxTokens) {
      ids = ids.slice(0, maxTokens);
      truncated++;
    }
    for (let start = 0; start < ids.length; start += size) {
      chunks.push(ids.slice(start, start + size));
      owner.push(i);
    }
  });
  return { chunks, owner, texts: texts.length, truncated };
}

/** Pooled hidden states [n, d] of chunks padded on the right (causal models ignore the padding). */
function poolChunks(model: LanguageModel, chunks: readonly number[][], pool: Pool, training: boolean): tf.Tensor2D {
  const hidden = hiddenOf(model);
  const T = Math.max(...chunks.map((c) => c.length));
  const n = chunks.length;
  const ids = new Int32Array(n * T);
  const weights = new Float32Array(n * T);
  chunks.forEach((c, i) => {
    ids.set(c, i * T);
    if (pool === 'last') weights[i * T + c.length - 1] = 1;
    else for (let t = 0; t < c.length; t++) weights[i * T + t] = 1 / c.length;
  });
  return tf.tidy(() => {
    const h = hidden(tf.tensor2d(ids, [n, T], 'int32'), training);
    // Pooling as a weighted sum over positions: one code path for last-token and mean.
    return tf.sum(tf.mul(h, tf.tensor3d(weights, [n, T, 1])), 1) as tf.Tensor2D;
  });
}

/** [texts, chunks] matrix averaging each text's chunk vectors. */
function averaging(owner: readonly number[], texts: number, firstText: number): tf.Tensor2D {
  const counts = new Array<number>(texts).fill(0);
  for (const o of owner) counts[o - firstText]!++;
  const m = new Float32Array(texts * owner.length);
  owner.forEach((o, j) => (m[(o - firstText) * owner.length + j] = 1 / counts[o - firstText]!));
  return tf.tensor2d(m, [texts, owner.length]);
}

/**
 * Features [texts, d] of a contiguous range of texts, differentiable (the unfreeze stage trains
 * through it). Caller owns the result.
 */
export function textFeatures(model: LanguageModel, chunked: Chunked, fromText: number, toText: number, pool: Pool, training: boolean): tf.Tensor2D {
  const picked: number[] = [];
  chunked.owner.forEach((o, j) => {
    if (o >= fromText && o < toText) picked.push(j);
  });
  return tf.tidy(() => {
    const pooled = poolChunks(model, picked.map((j) => chunked.chunks[j]!), pool, training);
    return tf.matMul(averaging(picked.map((j) => chunked.owner[j]!), toText - fromText, fromText), pooled);
  });
}

/** Features of all texts in inference mode, computed once and kept (the cached-feature path). */
export async function extractFeatures(
  model: LanguageModel,
  chunked: Chunked,
  pool: Pool,
  onProgress?: (done: number, total: number) => void,
): Promise<tf.Tensor2D> {
  const parts: tf.Tensor2D[] = [];
  const perText = new Array<number>(chunked.texts).fill(0);
  for (const o of chunked.owner) perText[o]!++;
  let from = 0;
  try {
    while (from < chunked.texts) {
      // Whole texts per batch, up to about CHUNK_BATCH chunks.
      let to = from;
      let count = 0;
      while (to < chunked.texts && (count === 0 || count < CHUNK_BATCH)) {
        count += perText[to]!;
        to++;
      }
      const part = textFeatures(model, chunked, from, to, pool, false);
      await part.data(); // let the backend finish before queuing more work
      parts.push(part);
      onProgress?.(to, chunked.texts);
      from = to;
    }
    return tf.tidy(() => tf.concat(parts, 0)) as tf.Tensor2D;
  } finally {
    tf.dispose(parts);
  }
}
