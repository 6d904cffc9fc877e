// A decoder-only transformer in the spirit of nanoGPT: token + learned position embeddings,
// pre-LayerNorm blocks (causal multi-head self-attention, GELU MLP), final LayerNorm,
// head tied to the token embedding, no biases. Raw tfjs-core ops on [B*T, d] matrices.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, GptConfig, LanguageModel, NamedWeight } from '../types.js';
import { DECODE_BLOCK_KERNEL } from '../kernels/decode/decode-block.js';
import { registerArchitecture } from './architectures.js';
import { Dropout, WeightBuilder, checkTokens, disposeWeights, gelu, hasKernel, layerNorm, runKernel, softmax, splitHeads, sumSizes } from './init.js';

interface Block {
  ln1: tf.Variable;
  qkv: tf.Variable;
  attnProj: tf.Variable;
  ln2: tf.Variable;
  fc: tf.Variable;
  mlpProj: tf.Variable;
}

/** Keys and values of one layer, [1, heads, length, headSize]. */
type LayerCache = { k: tf.Tensor4D; v: tf.Tensor4D };

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
    const [B, T] = this.checkLength(tokens);
    return tf.tidy(() => {
      const mask = tf.slice(this.mask, [0, 0], [T, T]);
      const tok = tf.gather(this.wte, tf.reshape(tokens, [B * T])) as tf.Tensor2D;
      const logits = this.forward(tok, B, T, 0, mask, training, null, false);
      return tf.reshape(logits.logits, [B, T, this.config.vocabSize]);
    });
  }

  /** The final LayerNorm's output [B, T, d]: what the tied head reads, and what a classifier pools. */
  hidden(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = this.checkLength(tokens);
    return tf.tidy(() => {
      const mask = tf.slice(this.mask, [0, 0], [T, T]);
      const tok = tf.gather(this.wte, tf.reshape(tokens, [B * T])) as tf.Tensor2D;
      const { x } = this.trunk(tok, B, T, 0, mask, training, null);
      return tf.reshape(layerNorm(x, this.lnF as tf.Tensor1D, training), [B, T, this.config.embedding]);
    });
  }

  private checkLength(tokens: tf.Tensor2D): [number, number] {
    const [B, T] = tokens.shape;
    if (T > this.contextLength) {
      throw new Error(`sequence length ${T} exceeds the context length ${this.contextLength}`);
    }
    return [B, T];
  }

  /**
   * Shared forward pass for training (B sequences from position 0) and decoding (B = 1, T new
   * tokens after `start` cached ones). `tok` holds the token embeddings [B*T, d]; `mask` is null
   * when every new position sees every earlier one (a single decoded token). Returns logits [B*T, V]
   * (or [1, V] for the last position only) and each layer's keys/values.
   */
  private forward(
    tok: tf.Tensor2D,
    B: number,
    T: number,
    start: number,
    mask: tf.Tensor2D | null,
    training: boolean,
    past: LayerCache[] | null,
    lastOnly: boolean,
  ): { logits: tf.Tensor2D; cache: LayerCache[] } {
    const d = this.config.embedding;
    const { x, cache } = this.trunk(tok, B, T, start, mask, training, past);
    // Decoding needs only the last position's logits: skip the [T, vocab] head for the rest.
    const rows = lastOnly && B * T > 1 ? tf.slice(x, [B * T - 1, 0], [1, d]) : x;
    const xf = layerNorm(rows, this.lnF as tf.Tensor1D, training);
    return { logits: tf.matMul(xf, this.wte, false, true), cache };
  }

  /** Embeddings and blocks: the residual stream [B*T, d] before the final LayerNorm, and each layer's keys/values. */
  private trunk(
    tok: tf.Tensor2D,
    B: number,
    T: number,
    start: number,
    mask: tf.Tensor2D | null,
    training: boolean,
    past: LayerCache[] | null,
  ): { x: tf.Tensor2D; cache: LayerCache[] } {
    const d = this.config.embedding;
    const pos = tf.slice(this.wpe, [start, 0], [T, d]);
    let x = (B === 1 ? tf.add(tok, pos) : tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d])) as tf.Tensor2D;
    x = this.dropout.apply(x, training);
    const cache: LayerCache[] = [];
    // Inference on one sequence (every feed, prompt or sampled token): each block in one fused kernel call.
    const fused = !training && B === 1 && hasKernel(DECODE_BLOCK_KERNEL);
    this.blocks.forEach((blk, i) => {
      if (fused) {
        const decoded = this.decodeBlock(x, blk, past?.[i]);
        cache.push(decoded.cache);
        x = decoded.x;
        return;
      }
      const attn = this.attention(layerNorm(x, blk.ln1 as tf.Tensor1D, training), blk, B, T, mask, training, past?.[i]);
      cache.push(attn.cache);
      x = tf.add(x, attn.out);
      const h = gelu(tf.matMul(layerNorm(x, blk.ln2 as tf.Tensor1D, training), blk.fc), training);
      x = tf.add(x, this.dropout.apply(tf.matMul(h as tf.Tensor2D, blk.mlpProj), training));
    });
    return { x, cache };
  }

  /** T new positions of one sequence through a whole block in one fused kernel call (decoding is dispatch-bound). */
  private decodeBlock(x: tf.Tensor2D, blk: Block, past: LayerCache | undefined): { x: tf.Tensor2D; cache: LayerCache } {
    const inputs: tf.NamedTensorMap = { x, ln1: blk.ln1, qkv: blk.qkv, proj: blk.attnProj, ln2: blk.ln2, fc: blk.fc, mlpProj: blk.mlpProj };
    if (past) Object.assign(inputs, { k: past.k, v: past.v });
    const [next, k, v] = runKernel(DECODE_BLOCK_KERNEL, inputs, { heads: this.config.heads, epsilon: 1e-5 }) as unknown as tf.Tensor[];
    return { x: next as tf.Tensor2D, cache: { k: k as tf.Tensor4D, v: v as tf.Tensor4D } };
  }

  private attention(
    x: tf.Tensor2D,
    blk: Block,
    B: number,
    T: number,
    mask: tf.Tensor2D | null,
    training: boolean,
    past: LayerCache | undefined,
  ): { out: tf.Tensor2D; cache: LayerCache } {
    const { embedding: d, heads: H } = this.config;
    const hs = this.headSize;
    const qkv = tf.matMul(x, blk.qkv); // [B*T, 3d], each third head-major
    // Scale q, not the scores: fewer numbers whenever the sequence is longer than a head.
    // Training on wasm: q, k, v in one fused kernel call each way.
    const [q, k0, v0] = (training && splitHeads(qkv, B, T, H, 1 / Math.sqrt(hs))) || this.heads(qkv, B, T);
    const k = past ? (tf.concat([past.k, k0], 2) as tf.Tensor4D) : k0;
    const v = past ? (tf.concat([past.v, v0], 2) as tf.Tensor4D) : v0;
    const raw = tf.matMul(q, k, false, true);
    const scores = mask ? tf.add(raw, mask) : raw;
    const att = this.dropout.apply(softmax(scores, training), training);
    const y = tf.matMul(att, v); // [B, H, T, hs]
    const merged = tf.reshape(T === 1 ? y : tf.transpose(y, [0, 2, 1, 3]), [B * T, d]);
    const out = this.dropout.apply(tf.matMul(merged as tf.Tensor2D, blk.attnProj) as tf.Tensor2D, training);
    return { out, cache: { k, v } };
  }

  /** q (scaled by 1/sqrt(hs)), k, v [B, H, T, hs] from qkv [B*T, 3d] with composite ops. */
  private heads(qkv: tf.Tensor, B: number, T: number): tf.Tensor4D[] {
    const H = this.config.heads;
    const hs = this.headSize;
    // -> [B, 3H, T, hs] with one rank-4 transpose (none for a single position; rank 5 is slow on wasm),
    // then q, k, v [B, H, T, hs] by one split.
    const heads =
      T === 1
        ? tf.reshape(qkv, [B, 3 * H, 1, hs])
        : tf.transpose(tf.reshape(qkv, [B, T, 3 * H, hs]), [0, 2, 1, 3]);
    const [q0, k0, v0] = tf.split(heads, 3, 1) as tf.Tensor4D[];
    return [tf.mul(q0, 1 / Math.sqrt(hs)) as tf.Tensor4D, k0, v0];
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
      // One token (every sampled one): a slice of the embedding, no mask; a prompt: gather and mask.
      const single = fresh.length === 1;
      const tok = single
        ? tf.slice(this.wte, [fresh[0], 0], [1, this.config.embedding])
        : tf.gather(this.wte, tf.tensor1d(fresh, 'int32'));
      const mask = single ? null : tf.slice(this.mask, [start, 0], [fresh.length, all.length]);
      const { logits, cache } = this.forward(tok as tf.Tensor2D, 1, fresh.length, start, mask, false, past, true);
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

registerArchitecture({
  arch: 'gpt',
  create: (config, seed) => new GptModel(config, seed),
  parameterCount: gptParameterCount,
  describe: (c) => `${c.layers} layers, ${c.heads} heads, embedding ${c.embedding}, context ${c.contextLength}`,
});
