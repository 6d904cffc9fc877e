// Decoding with a KV cache over a sliding window of tokens, shared by the transformer families (gpt, gpt2,
// llama): each keeps the keys and values of the tokens in its window and slides the window when it is full.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState } from '../types.js';
import { checkTokens } from './init.js';

/** Keys and values of one layer, [1, heads, length, headSize]. */
export type LayerCache = { k: tf.Tensor4D; v: tf.Tensor4D };

export class WindowState implements DecodeState {
  length = 0;
  /** The tokens in the current window; the cache holds their keys and values. */
  window: number[] = [];
  cache: LayerCache[] = [];

  dispose(): void {
    for (const c of this.cache) {
      c.k.dispose();
      c.v.dispose();
    }
    this.cache = [];
    this.window = [];
  }
}

/** Tokens kept after the window overflows: half a window, or more of a long new input. */
export function slideKeep(contextLength: number, total: number, incoming: number): number {
  return Math.min(total, contextLength, Math.max(Math.ceil(contextLength / 2), incoming));
}

/** What a model computes for the new tokens: the next token's logits [vocab] and each layer's keys/values. */
export type WindowStep = (
  fresh: number[],
  start: number,
  windowLength: number,
  past: LayerCache[] | null,
) => { last: tf.Tensor1D; cache: LayerCache[] };

/**
 * Feed tokens through `step` (run inside a tidy) on top of the state's cache. Positions are absolute within
 * the window, so a slide recomputes the cache from scratch on the tokens kept. Caller owns the logits.
 */
export function feedWindow(state: DecodeState, tokens: readonly number[], contextLength: number, vocabSize: number, step: WindowStep): tf.Tensor1D {
  if (!(state instanceof WindowState)) throw new Error('feed needs a state from this model');
  checkTokens(tokens, vocabSize);
  let fresh = [...tokens];
  let all = state.window.concat(fresh);
  if (all.length > contextLength) {
    all = all.slice(all.length - slideKeep(contextLength, all.length, fresh.length));
    fresh = all;
    state.dispose();
  }
  const start = all.length - fresh.length;
  const past = state.cache.length > 0 ? state.cache : null;
  const result = tf.tidy(() => step(fresh, start, all.length, past));
  state.dispose();
  state.cache = result.cache.map((c) => ({ k: tf.keep(c.k), v: tf.keep(c.v) }));
  state.window = all;
  state.length += tokens.length;
  return result.last;
}
