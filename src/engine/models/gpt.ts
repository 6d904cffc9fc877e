// A decoder-only transformer in the spirit of nanoGPT: token + learned position embeddings,
// pre-LayerNorm blocks (causal multi-head self-attention, GELU MLP), final LayerNorm,
// head tied to the token embedding, no biases. Raw tfjs-core ops on [B*T, d] matrices.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, GptConfig, LanguageModel, NamedWeight } from '../types.js';
import { DECODE_BLOCK_KERNEL } from '../kernels/decode/decode-block.js';
import { registerArchitecture } from './architectures.js';
import { WeightBuilder, disposeWeights, sumSizes } from './init.js';
import { feedWindow, WindowState, type LayerCache } from './kv-window.js';
import { Dropout } from '../ops/dropout.js';
import { gelu } from '../ops/gelu.js';
import { hasKernel, runKernel } from '../ops/kernel-choice.js';
import { LAYER_NORM_EPSILON, layerNorm } from '../ops/layer-norm.js';
import { softmax } from '../ops/softmax.js';
import { splitHeads } from '../ops/split-heads.js';

interface Block {
  ln1: tf.Variable;
  qkv: tf.Variable;
  attnProj: tf.Variable;
  ln2: tf.Variable;
  fc: tf.Variable;
  mlpProj: tf.Variable;
}


/** One forward pass: B sequences of T new positions each, from absolute position `start`. */
interface Pass {
  B: number;
  T: number;
  /** Position of the first new token: 0 in training, the cached length when decoding. */
  start: number;
  /** Additive causal mask [T, start + T], or null when every new position sees every earlier one (one token). */
  mask: tf.Tensor2D | null;
  /** Dropout on, and the training kernels (splitHeads) where the backend has them. */
  training: boolean;
  /** Each layer's cached keys/values when decoding after earlier tokens, else null. */
  past: LayerCache[] | null;
  /** Logits for the last position only (decoding). */
  lastOnly?: boolean;
}

const MASKED = -1e9;

export function gptParameterCount(c: Omit<GptConfig, 'arch'>): number {
  const d = c.embedding;
  return c.vocabSize * d + c.contextLength * d + c.layers * (12 * d * d + 2 * d) + d;
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
      const tok = tf.gather(this.wte, tf.reshape(tokens, [B * T])) as tf.Tensor2D; // [B*T, d]
      const { logits } = this.forward(tok, this.trainingPass(B, T, training));
      return tf.reshape(logits, [B, T, this.config.vocabSize]);
    });
  }

  /** The final LayerNorm's output [B, T, d]: what the tied head reads, and what a classifier pools. */
  hidden(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = this.checkLength(tokens);
    return tf.tidy(() => {
      const tok = tf.gather(this.wte, tf.reshape(tokens, [B * T])) as tf.Tensor2D;
      const { x } = this.trunk(tok, this.trainingPass(B, T, training));
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

  /** B whole sequences from position 0, causally masked (training, evaluation, apply). */
  private trainingPass(B: number, T: number, training: boolean): Pass {
    return { B, T, start: 0, mask: tf.slice(this.mask, [0, 0], [T, T]), training, past: null };
  }

  /** Embeddings, blocks, final LayerNorm and the tied head: logits [B*T, V] ([1, V] with lastOnly) and each layer's keys/values. */
  private forward(tok: tf.Tensor2D, pass: Pass): { logits: tf.Tensor2D; cache: LayerCache[] } {
    const d = this.config.embedding;
    const { x, cache } = this.trunk(tok, pass);
    // Decoding needs only the last position's logits: skip the [T, vocab] head for the rest.
    const rows = pass.lastOnly && pass.B * pass.T > 1 ? tf.slice(x, [pass.B * pass.T - 1, 0], [1, d]) : x;
    const xf = layerNorm(rows, this.lnF as tf.Tensor1D, pass.training);
    return { logits: tf.matMul(xf, this.wte, false, true), cache };
  }

  /** Embeddings and blocks: the residual stream [B*T, d] before the final LayerNorm, and each layer's keys/values. */
  private trunk(tok: tf.Tensor2D, pass: Pass): { x: tf.Tensor2D; cache: LayerCache[] } {
    const { B, T, start, training } = pass;
    const d = this.config.embedding;
    const pos = tf.slice(this.wpe, [start, 0], [T, d]); // [T, d], broadcast over the batch
    let x = (B === 1 ? tf.add(tok, pos) : tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d])) as tf.Tensor2D;
    x = this.dropout.apply(x, training);
    const cache: LayerCache[] = [];
    this.blocks.forEach((blk, i) => {
      const out = this.block(x, blk, pass, pass.past?.[i]);
      cache.push(out.cache);
      x = out.x;
    });
    return { x, cache };
  }

  /** One block, as in nanoGPT: x = x + attn(ln1(x)); x = x + mlp(ln2(x)). x is [B*T, d]. */
  private block(x: tf.Tensor2D, blk: Block, pass: Pass, past: LayerCache | undefined): { x: tf.Tensor2D; cache: LayerCache } {
    // Inference on one sequence (every feed, prompt or sampled token): the whole block in one fused kernel call.
    if (!pass.training && pass.B === 1 && hasKernel(DECODE_BLOCK_KERNEL)) return this.decodeBlock(x, blk, past);
    const attn = this.attention(layerNorm(x, blk.ln1 as tf.Tensor1D, pass.training), blk, pass, past);
    x = tf.add(x, attn.out);
    x = tf.add(x, this.mlp(layerNorm(x, blk.ln2 as tf.Tensor1D, pass.training), blk, pass.training));
    return { x, cache: attn.cache };
  }

  /** T new positions of one sequence through a whole block in one fused kernel call (decoding is dispatch-bound). */
  private decodeBlock(x: tf.Tensor2D, blk: Block, past: LayerCache | undefined): { x: tf.Tensor2D; cache: LayerCache } {
    const inputs: tf.NamedTensorMap = { x, ln1: blk.ln1, qkv: blk.qkv, proj: blk.attnProj, ln2: blk.ln2, fc: blk.fc, mlpProj: blk.mlpProj };
    if (past) Object.assign(inputs, { k: past.k, v: past.v });
    const [next, k, v] = runKernel(DECODE_BLOCK_KERNEL, inputs, { heads: this.config.heads, epsilon: LAYER_NORM_EPSILON }) as unknown as tf.Tensor[];
    return { x: next as tf.Tensor2D, cache: { k: k as tf.Tensor4D, v: v as tf.Tensor4D } };
  }

  /** The MLP: [B*T, d] -> GELU([B*T, 4d]) -> [B*T, d], dropout on the way out. */
  private mlp(x: tf.Tensor2D, blk: Block, training: boolean): tf.Tensor2D {
    const h = gelu(tf.matMul(x, blk.fc), training) as tf.Tensor2D;
    return this.dropout.apply(tf.matMul(h, blk.mlpProj), training);
  }

  /** Causal self-attention over x [B*T, d] (after ln1); the keys/values include the cached ones. */
  private attention(x: tf.Tensor2D, blk: Block, pass: Pass, past: LayerCache | undefined): { out: tf.Tensor2D; cache: LayerCache } {
    const { B, T, mask, training } = pass;
    const d = this.config.embedding;
    const qkv = tf.matMul(x, blk.qkv); // [B*T, 3d], each third head-major
    const [q, k0, v0] = this.splitQkv(qkv, B, T, training); // [B, H, T, hs] each, q scaled
    const k = past ? (tf.concat([past.k, k0], 2) as tf.Tensor4D) : k0; // [B, H, L+T, hs]
    const v = past ? (tf.concat([past.v, v0], 2) as tf.Tensor4D) : v0;
    const raw = tf.matMul(q, k, false, true); // [B, H, T, L+T]
    const scores = mask ? tf.add(raw, mask) : raw;
    const att = this.dropout.apply(softmax(scores, training), training);
    const y = tf.matMul(att, v); // [B, H, T, hs]
    const merged = tf.reshape(T === 1 ? y : tf.transpose(y, [0, 2, 1, 3]), [B * T, d]); // heads side by side
    const out = this.dropout.apply(tf.matMul(merged as tf.Tensor2D, blk.attnProj) as tf.Tensor2D, training);
    return { out, cache: { k, v } };
  }

  /**
   * q (scaled by 1/sqrt(hs)), k, v [B, H, T, hs] from qkv [B*T, 3d]. Scale q, not the scores: fewer numbers
   * whenever the sequence is longer than a head.
   */
  private splitQkv(qkv: tf.Tensor, B: number, T: number, training: boolean): tf.Tensor4D[] {
    const H = this.config.heads;
    const scale = 1 / Math.sqrt(this.headSize);
    // Training on wasm: q, k, v in one fused kernel call each way.
    const fused = training ? splitHeads(qkv, B, T, H, scale) : null;
    if (fused) return fused;
    // -> [B, 3H, T, hs] with one rank-4 transpose (none for a single position; rank 5 is slow on wasm),
    // then q, k, v [B, H, T, hs] by one split.
    const heads =
      T === 1
        ? tf.reshape(qkv, [B, 3 * H, 1, this.headSize])
        : tf.transpose(tf.reshape(qkv, [B, T, 3 * H, this.headSize]), [0, 2, 1, 3]);
    const [q0, k0, v0] = tf.split(heads, 3, 1) as tf.Tensor4D[];
    return [tf.mul(q0, scale) as tf.Tensor4D, k0, v0];
  }

  createState(): WindowState {
    return new WindowState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    return feedWindow(state, tokens, this.contextLength, this.config.vocabSize, (fresh, start, length, past) => {
      // One token (every sampled one): a slice of the embedding, no mask; a prompt: gather and mask.
      const single = fresh.length === 1;
      const tok = single
        ? tf.slice(this.wte, [fresh[0], 0], [1, this.config.embedding])
        : tf.gather(this.wte, tf.tensor1d(fresh, 'int32'));
      const mask = single ? null : tf.slice(this.mask, [start, 0], [fresh.length, length]);
      const pass: Pass = { B: 1, T: fresh.length, start, mask, training: false, past, lastOnly: true };
      const { logits, cache } = this.forward(tok as tf.Tensor2D, pass);
      return { last: tf.reshape(logits, [-1]) as tf.Tensor1D, cache };
    });
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
  // Per layer and token: ~44 floats per embedding channel (LayerNorms, qkv, MLP at 4x, their gradients in
  // flight) and two heads x context attention maps; measured on wasm heaps (runtime/memory.ts).
  trainingActivationBytesPerToken: (c, seqLength) => c.layers * (44 * c.embedding + 2 * c.heads * seqLength) * 4,
});
