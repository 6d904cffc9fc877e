// A decoder-only transformer in the spirit of nanoGPT: token + learned position embeddings,
// pre-LayerNorm blocks (causal multi-head self-attention, GELU MLP), final LayerNorm,
// head tied to the token embedding, no biases. Raw tfjs-core ops on [B*T, d] matrices.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, GptConfig, LanguageModel, NamedWeight } from '../types.js';
import { Dropout, WeightBuilder, checkTokens, disposeWeights, gelu, layerNorm, sumSizes } from './init.js';

interface Block {
  ln1: tf.Variable;
  qkv: tf.Variable;
  attnProj: tf.Variable;
  ln2: tf.Variable;
  fc: tf.Variable;
  mlpProj: tf.Variable;
}

/** Keys and values of one layer, [heads, length, headSize]. */
type LayerCache = { k: tf.Tensor3D; v: tf.Tensor3D };

const MASKED = -1e9;

export function gptParameterCount(c: Omit<GptConfig, 'arch'>): number {
  const d = c.embedding;
  return c.vocabSize * d + c.contextLength * d + c.layers * (12 * d * d + 2 * d) + d;
}

/** Tokens kept after the window overflows: half a window, or more of a long new input. */
export function slideKeep(contextLength: number, total: number, incoming: number): number {
  return Math.min(total, contextLength, Math.max(Math.ceil(contextLength / 2), incoming));
}

export class GptState implements DecodeState {
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

export class GptModel implements LanguageModel {
  readonly weights: NamedWeight[];
  readonly contextLength: number;
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable;
  private readonly blocks: Block[] = [];
  private readonly lnF: tf.Variable;
  /** Additive causal mask [ctx, ctx]: 0 on and below the diagonal, -1e9 above. */
  private readonly mask: tf.Tensor2D;
  private readonly headSize: number;
  private readonly dropout: Dropout;

  constructor(readonly config: GptConfig, seed: number) {
    const { vocabSize: V, contextLength: ctx, embedding: d, layers } = config;
    this.contextLength = ctx;
    this.headSize = d / config.heads;
    this.dropout = new Dropout(config.dropout, seed);
    const b = new WeightBuilder(seed);
    const std = 0.02;
    const residualStd = 0.02 / Math.sqrt(2 * layers);
    this.wte = b.normal('embedding/token', 'embedding', [V, d], std);
    this.wpe = b.normal('embedding/position', 'embedding', [ctx, d], std);
    for (let i = 0; i < layers; i++) {
      const p = `block${i}`;
      const g = `layer${i}`;
      this.blocks.push({
        ln1: b.constant(`${p}/ln1/gamma`, g, d, 1),
        qkv: b.normal(`${p}/attn/qkv/kernel`, g, [d, 3 * d], std),
        attnProj: b.normal(`${p}/attn/proj/kernel`, g, [d, d], residualStd),
        ln2: b.constant(`${p}/ln2/gamma`, g, d, 1),
        fc: b.normal(`${p}/mlp/fc/kernel`, g, [d, 4 * d], std),
        mlpProj: b.normal(`${p}/mlp/proj/kernel`, g, [4 * d, d], residualStd),
      });
    }
    this.lnF = b.constant('head/ln/gamma', 'head', d, 1);
    this.weights = b.weights;
    this.mask = tf.keep(
      tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([ctx, ctx]), -1, 0)), MASKED)),
    ) as tf.Tensor2D;
  }

  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = tokens.shape;
    if (T > this.contextLength) {
      throw new Error(`sequence length ${T} exceeds the context length ${this.contextLength}`);
    }
    return tf.tidy(() => {
      const mask = tf.slice(this.mask, [0, 0], [T, T]);
      const logits = this.forward(tf.reshape(tokens, [B * T]), B, T, 0, mask, training, null, false);
      return tf.reshape(logits.logits, [B, T, this.config.vocabSize]);
    });
  }

  /**
   * Shared forward pass for training (B sequences from position 0) and decoding (B = 1, T new
   * tokens after `start` cached ones). Returns logits [B*T, V] (or [1, V] for the last position
   * only) and each layer's keys/values.
   */
  private forward(
    ids: tf.Tensor1D,
    B: number,
    T: number,
    start: number,
    mask: tf.Tensor2D,
    training: boolean,
    past: LayerCache[] | null,
    lastOnly: boolean,
  ): { logits: tf.Tensor2D; cache: LayerCache[] } {
    const d = this.config.embedding;
    const tok = tf.reshape(tf.gather(this.wte, ids), [B, T, d]);
    const pos = tf.slice(this.wpe, [start, 0], [T, d]);
    let x = tf.reshape(tf.add(tok, pos), [B * T, d]) as tf.Tensor2D;
    x = this.dropout.apply(x, training);
    const cache: LayerCache[] = [];
    this.blocks.forEach((blk, i) => {
      const attn = this.attention(layerNorm(x, blk.ln1 as tf.Tensor1D), blk, B, T, mask, training, past?.[i]);
      cache.push(attn.cache);
      x = tf.add(x, attn.out);
      const h = gelu(tf.matMul(layerNorm(x, blk.ln2 as tf.Tensor1D), blk.fc));
      x = tf.add(x, this.dropout.apply(tf.matMul(h as tf.Tensor2D, blk.mlpProj), training));
    });
    // Decoding needs only the last position's logits: skip the [T, vocab] head for the rest.
    const rows = lastOnly ? tf.slice(x, [B * T - 1, 0], [1, d]) : x;
    const xf = layerNorm(rows, this.lnF as tf.Tensor1D);
    return { logits: tf.matMul(xf, this.wte, false, true), cache };
  }

  private attention(
    x: tf.Tensor2D,
    blk: Block,
    B: number,
    T: number,
    mask: tf.Tensor2D,
    training: boolean,
    past: LayerCache | undefined,
  ): { out: tf.Tensor2D; cache: LayerCache } {
    const { embedding: d, heads: H } = this.config;
    const hs = this.headSize;
    const [q2, k2, v2] = tf.split(tf.matMul(x, blk.qkv), 3, 1);
    // [B*T, d] -> [B*H, T, hs]
    const toHeads = (t: tf.Tensor): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hs]), [0, 2, 1, 3]), [B * H, T, hs]);
    const q = toHeads(q2);
    let k = toHeads(k2);
    let v = toHeads(v2);
    if (past) {
      k = tf.concat([past.k, k], 1);
      v = tf.concat([past.v, v], 1);
    }
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), mask);
    const att = this.dropout.apply(tf.softmax(scores), training);
    const y = tf.matMul(att, v); // [B*H, T, hs]
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [B, H, T, hs]), [0, 2, 1, 3]), [B * T, d]);
    const out = this.dropout.apply(tf.matMul(merged as tf.Tensor2D, blk.attnProj) as tf.Tensor2D, training);
    return { out, cache: { k, v } };
  }

  createState(): GptState {
    return new GptState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    if (!(state instanceof GptState)) throw new Error('feed needs a state from this model');
    checkTokens(tokens, this.config.vocabSize);
    const ctx = this.contextLength;
    let fresh = [...tokens];
    let all = state.window.concat(fresh);
    if (all.length > ctx) {
      // Positions are absolute within the window, so a slide recomputes the cache from scratch.
      all = all.slice(all.length - slideKeep(ctx, all.length, fresh.length));
      fresh = all;
      state.dispose();
    }
    const start = all.length - fresh.length;
    const past = state.cache.length > 0 ? state.cache : null;
    const result = tf.tidy(() => {
      const ids = tf.tensor1d(fresh, 'int32');
      const mask = tf.slice(this.mask, [start, 0], [fresh.length, all.length]);
      const { logits, cache } = this.forward(ids, 1, fresh.length, start, mask, false, past, true);
      const last = tf.reshape(logits, [-1]) as tf.Tensor1D;
      return { last, cache };
    });
    state.dispose();
    state.cache = result.cache.map((c) => ({ k: tf.keep(c.k), v: tf.keep(c.v) }));
    state.window = all;
    state.length += tokens.length;
    return result.last;
  }

  parameterCount(): number {
    return sumSizes(this.weights);
  }

  dispose(): void {
    disposeWeights(this.weights);
    this.mask.dispose();
  }
}
