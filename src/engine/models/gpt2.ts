// Hugging Face GPT2LMHeadModel: learned position embeddings, pre-LayerNorm blocks with biases and LayerNorm
// shifts, Conv1D weights stored [in, out] (so x @ W, no transpose), gelu_new, final LayerNorm, LM head tied to
// the token embedding. Weights keep the checkpoint's names (without the `transformer.` prefix), so importing and
// exporting is a rename-free copy. Config parsing lives in gpt2-config.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, LanguageModel, NamedWeight } from '../types.js';
import { registerArchitecture } from './architectures.js';
import { feedWindow, WindowState, type LayerCache } from './kv-window.js';
import { WeightBuilder, disposeWeights, sumSizes } from './init.js';
import { Dropout } from '../ops/dropout.js';
import { gelu } from '../ops/gelu.js';
import { LAYER_NORM_EPSILON, layerNorm } from '../ops/layer-norm.js';
import { softmax } from '../ops/softmax.js';
import { gpt2ParameterCount, type Gpt2Config } from './gpt2-config.js';
import { targetsOf, type AdaptableModel, type AdapterTarget, type LoraAdapters } from './lora.js';

export type { Gpt2Config } from './gpt2-config.js';

declare module '../types.js' {
  interface ModelConfigs {
    gpt2: Gpt2Config;
  }
}

interface Block {
  ln1: [tf.Variable, tf.Variable];
  attn: [tf.Variable, tf.Variable];
  attnProj: [tf.Variable, tf.Variable];
  ln2: [tf.Variable, tf.Variable];
  fc: [tf.Variable, tf.Variable];
  mlpProj: [tf.Variable, tf.Variable];
}


const MASKED = -1e9;

export class Gpt2Model implements AdaptableModel {
  readonly weights: NamedWeight[];
  readonly contextLength: number;
  private readonly wte: tf.Variable;
  private readonly wpe: tf.Variable;
  private readonly blocks: Block[] = [];
  private readonly lnF: [tf.Variable, tf.Variable];
  private readonly mask: tf.Tensor2D;
  private readonly headSize: number;
  private readonly dropout: Dropout;
  private adapters: LoraAdapters | null = null;

  constructor(readonly config: Gpt2Config, seed: number) {
    const { vocabSize: V, contextLength: ctx, embedding: d, layers, inner } = config;
    this.contextLength = ctx;
    this.headSize = d / config.heads;
    this.dropout = new Dropout(config.dropout, seed);
    const b = new WeightBuilder(seed);
    // GPT-2's own initialisation (std 0.02, residual projections scaled by 1/sqrt(2 layers)): what a random model
    // of this shape (bench workload d) starts from; an imported one overwrites it.
    const std = 0.02;
    const residualStd = 0.02 / Math.sqrt(2 * layers);
    const linear = (name: string, g: string, n: number, m: number, s = std): [tf.Variable, tf.Variable] => [
      b.normal(`${name}.weight`, g, [n, m], s),
      b.constant(`${name}.bias`, g, m, 0),
    ];
    const norm = (name: string, g: string): [tf.Variable, tf.Variable] => [b.constant(`${name}.weight`, g, d, 1), b.constant(`${name}.bias`, g, d, 0)];
    this.wte = b.normal('wte.weight', 'embedding', [V, d], std);
    this.wpe = b.normal('wpe.weight', 'embedding', [ctx, d], 0.01);
    for (let i = 0; i < layers; i++) {
      const p = `h.${i}`;
      const g = `layer${i}`;
      this.blocks.push({
        ln1: norm(`${p}.ln_1`, g),
        attn: linear(`${p}.attn.c_attn`, g, d, 3 * d),
        attnProj: linear(`${p}.attn.c_proj`, g, d, d, residualStd),
        ln2: norm(`${p}.ln_2`, g),
        fc: linear(`${p}.mlp.c_fc`, g, d, inner),
        mlpProj: linear(`${p}.mlp.c_proj`, g, inner, d, residualStd),
      });
    }
    this.lnF = norm('ln_f', 'head');
    this.weights = b.weights;
    this.mask = tf.keep(tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([ctx, ctx]), -1, 0)), MASKED))) as tf.Tensor2D;
  }

  /** LayerNorm with a shift; the shared fused kernels (LAYER_NORM_EPSILON, GPT-2's default) when the config allows. */
  private norm(x: tf.Tensor2D, [gamma, beta]: [tf.Variable, tf.Variable], training: boolean): tf.Tensor2D {
    const eps = this.config.layerNormEpsilon;
    if (eps === LAYER_NORM_EPSILON) return tf.add(layerNorm(x, gamma as tf.Tensor1D, training), beta) as tf.Tensor2D;
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const normed = tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)));
    return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor2D;
  }

  /** x W + b, plus the LoRA delta when adapters are on. */
  private linear(x: tf.Tensor2D, [w, bias]: [tf.Variable, tf.Variable], training: boolean): tf.Tensor2D {
    const y = tf.add(tf.matMul(x, w), bias) as tf.Tensor2D;
    return this.adapters ? this.adapters.adapt(y, x, w, training) : y;
  }

  /** LoRA goes on every projection of every block: attention (c_attn, c_proj) and MLP (c_fc, c_proj). */
  adapterTargets(): AdapterTarget[] {
    return targetsOf(this.weights, this.blocks.flatMap((b) => [b.attn[0], b.attnProj[0], b.fc[0], b.mlpProj[0]]));
  }

  useAdapters(adapters: LoraAdapters | null): void {
    this.adapters = adapters;
  }

  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return this.wholeSequence(tokens, training, false);
  }

  /** The final LayerNorm's output [B, T, d]: what the tied head reads, and what a classifier pools. */
  hidden(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return this.wholeSequence(tokens, training, true);
  }

  /** Logits [B, T, V] of whole sequences, or (headless) the final LayerNorm's output [B, T, d]. */
  private wholeSequence(tokens: tf.Tensor2D, training: boolean, headless: boolean): tf.Tensor3D {
    const [B, T] = tokens.shape;
    if (T > this.contextLength) throw new Error(`sequence length ${T} exceeds the context length ${this.contextLength}`);
    return tf.tidy(() => {
      const mask = tf.slice(this.mask, [0, 0], [T, T]);
      const tok = tf.gather(this.wte, tf.reshape(tokens, [B * T])) as tf.Tensor2D;
      const { logits } = this.forward(tok, B, T, 0, mask, training, null, false, headless);
      return tf.reshape(logits, [B, T, headless ? this.config.embedding : this.config.vocabSize]);
    });
  }

  /** With `headless`, "logits" are the final LayerNorm's output [B*T, d] instead (for hidden()). */
  private forward(
    tok: tf.Tensor2D,
    B: number,
    T: number,
    start: number,
    mask: tf.Tensor2D | null,
    training: boolean,
    past: LayerCache[] | null,
    lastOnly: boolean,
    headless = false,
  ): { logits: tf.Tensor2D; cache: LayerCache[] } {
    const d = this.config.embedding;
    const pos = tf.slice(this.wpe, [start, 0], [T, d]);
    let x = (B === 1 ? tf.add(tok, pos) : tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [B * T, d])) as tf.Tensor2D;
    x = this.dropout.apply(x, training);
    const cache: LayerCache[] = [];
    this.blocks.forEach((blk, i) => {
      const attn = this.attention(this.norm(x, blk.ln1, training), blk, B, T, mask, training, past?.[i]);
      cache.push(attn.cache);
      x = tf.add(x, attn.out);
      const h = gelu(this.linear(this.norm(x, blk.ln2, training), blk.fc, training), training) as tf.Tensor2D;
      x = tf.add(x, this.dropout.apply(this.linear(h, blk.mlpProj, training), training));
    });
    // Decoding needs only the last position's logits.
    const rows = lastOnly && B * T > 1 ? tf.slice(x, [B * T - 1, 0], [1, d]) : x;
    const xf = this.norm(rows, this.lnF, training);
    return { logits: headless ? xf : tf.matMul(xf, this.wte, false, true), cache };
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
    const qkv = this.linear(x, blk.attn, training); // [B*T, 3d]: q, k, v, each head-major
    const heads = T === 1 ? tf.reshape(qkv, [B, 3 * H, 1, hs]) : tf.transpose(tf.reshape(qkv, [B, T, 3 * H, hs]), [0, 2, 1, 3]);
    const [q0, k0, v0] = tf.split(heads, 3, 1) as tf.Tensor4D[];
    const q = tf.mul(q0, 1 / Math.sqrt(hs));
    const k = past ? (tf.concat([past.k, k0], 2) as tf.Tensor4D) : k0;
    const v = past ? (tf.concat([past.v, v0], 2) as tf.Tensor4D) : v0;
    const raw = tf.matMul(q, k, false, true);
    const scores = mask ? tf.add(raw, mask) : raw;
    const att = this.dropout.apply(softmax(scores, training), training);
    const y = tf.matMul(att, v);
    const merged = tf.reshape(T === 1 ? y : tf.transpose(y, [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    return { out: this.dropout.apply(this.linear(merged, blk.attnProj, training), training), cache: { k, v } };
  }

  createState(): WindowState {
    return new WindowState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    return feedWindow(state, tokens, this.contextLength, this.config.vocabSize, (fresh, start, length, past) => {
      const single = fresh.length === 1;
      const tok = single ? tf.slice(this.wte, [fresh[0]!, 0], [1, this.config.embedding]) : tf.gather(this.wte, tf.tensor1d(fresh, 'int32'));
      const mask = single ? null : tf.slice(this.mask, [start, 0], [fresh.length, length]);
      const { logits, cache } = this.forward(tok as tf.Tensor2D, 1, fresh.length, start, mask, false, past, true);
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
  arch: 'gpt2',
  create: (config, seed) => new Gpt2Model(config, seed),
  parameterCount: gpt2ParameterCount,
  describe: (c) => `GPT-2, ${c.layers} layers, ${c.heads} heads, embedding ${c.embedding}, context ${c.contextLength}`,
});
