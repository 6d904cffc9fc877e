// The Llama family as Hugging Face's LlamaForCausalLM and Qwen2ForCausalLM define it (SmolLM2, Llama 3.x,
// Qwen2.5): RMSNorm, rotary position embeddings, grouped-query attention and a SwiGLU MLP, pre-norm blocks:
//   x = x + attn(rmsnorm1(x));  x = x + mlp(rmsnorm2(x))
// Matrices are stored [in, out] (HF's nn.Linear keeps [out, in]; the loader transposes once).
import * as tf from '@tensorflow/tfjs-core';
import type { DecodeState, NamedWeight } from '../types.js';
import { registerArchitecture } from './architectures.js';
import { WeightBuilder, disposeWeights } from './init.js';
import { softmax } from '../ops/softmax.js';
import { rmsNorm } from '../ops/rms-norm.js';
import { type Matrix, type Quantization, buildMatrix, buildTable, embedRows, linear, tiedHead } from './matrix.js';
import { type RopeScaling, rotate, rotaryTables } from './rope.js';
import { feedWindow, WindowState, type LayerCache } from './kv-window.js';
import { targetsOf, type AdaptableModel, type AdapterTarget, type LoraAdapters } from './lora.js';

export interface LlamaConfig {
  arch: 'llama';
  vocabSize: number;
  /** max_position_embeddings. */
  contextLength: number;
  layers: number;
  /** hidden_size. */
  embedding: number;
  heads: number;
  /** num_key_value_heads: heads / kvHeads query heads share each key/value head. */
  kvHeads: number;
  headDim: number;
  /** intermediate_size of the SwiGLU MLP. */
  intermediate: number;
  rmsEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  tiedEmbeddings: boolean;
  /** Biases on q, k and v (Qwen2; Llama's attention_bias also sets the output bias). */
  qkvBias: boolean;
  outputBias: boolean;
  dropout: number;
  /** int8 matrices for fast decoding (inference only); absent for float32. */
  quantization?: Quantization;
}

declare module '../types.js' {
  interface ModelConfigs {
    llama: LlamaConfig;
  }
}

interface Block {
  norm1: tf.Variable;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  qBias?: tf.Variable;
  kBias?: tf.Variable;
  vBias?: tf.Variable;
  o: Matrix;
  oBias?: tf.Variable;
  norm2: tf.Variable;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
}

/** Rotated keys and values of one layer, [1, kvHeads, length, headDim]: grouped, never repeated per query head. */

const MASKED = -1e9;

export function llamaParameterCount(c: LlamaConfig): number {
  const d = c.embedding;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const attn = d * q + 2 * d * kv + q * d + (c.qkvBias ? q + 2 * kv : 0) + (c.outputBias ? d : 0);
  const mlp = 3 * d * c.intermediate;
  const head = c.tiedEmbeddings ? 0 : c.vocabSize * d;
  return c.vocabSize * d + c.layers * (attn + mlp + 2 * d) + d + head;
}



export class LlamaModel implements AdaptableModel {
  readonly weights: NamedWeight[];
  readonly contextLength: number;
  private readonly embed: Matrix;
  private readonly blocks: Block[] = [];
  private readonly norm: tf.Variable;
  private readonly lmHead: Matrix | null;
  private readonly inverseFrequencies: Float64Array;
  private adapters: LoraAdapters | null = null;

  constructor(readonly config: LlamaConfig, seed: number) {
    const { vocabSize: V, embedding: d, layers, heads, kvHeads, headDim: hd, intermediate: I } = config;
    if (heads % kvHeads !== 0) throw new Error(`num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
    if (hd % 2 !== 0) throw new Error(`head_dim ${hd} must be even for rotary embeddings`);
    this.contextLength = config.contextLength;
    const b = new WeightBuilder(seed);
    const std = 0.02;
    const q8 = config.quantization === 'q8';
    const mat = (name: string, group: string, inDim: number, outDim: number, s: number) => buildMatrix(b, name, group, inDim, outDim, s, q8);
    this.embed = buildTable(b, 'embedding/token', 'embedding', V, d, std, q8);
    for (let i = 0; i < layers; i++) {
      const p = `block${i}`;
      const g = `layer${i}`;
      const blk: Block = {
        norm1: b.constant(`${p}/norm1/gamma`, g, d, 1),
        q: mat(`${p}/attn/q`, g, d, heads * hd, std),
        k: mat(`${p}/attn/k`, g, d, kvHeads * hd, std),
        v: mat(`${p}/attn/v`, g, d, kvHeads * hd, std),
        o: mat(`${p}/attn/o`, g, heads * hd, d, std / Math.sqrt(2 * layers)),
        norm2: b.constant(`${p}/norm2/gamma`, g, d, 1),
        gate: mat(`${p}/mlp/gate`, g, d, I, std),
        up: mat(`${p}/mlp/up`, g, d, I, std),
        down: mat(`${p}/mlp/down`, g, I, d, std / Math.sqrt(2 * layers)),
      };
      if (config.qkvBias) {
        blk.qBias = b.constant(`${p}/attn/q/bias`, g, heads * hd, 0);
        blk.kBias = b.constant(`${p}/attn/k/bias`, g, kvHeads * hd, 0);
        blk.vBias = b.constant(`${p}/attn/v/bias`, g, kvHeads * hd, 0);
      }
      if (config.outputBias) blk.oBias = b.constant(`${p}/attn/o/bias`, g, d, 0);
      this.blocks.push(blk);
    }
    this.norm = b.constant('head/norm/gamma', 'head', d, 1);
    this.lmHead = config.tiedEmbeddings ? null : mat('head', 'head', d, V, std);
    this.weights = b.weights;
    this.inverseFrequencies = rotaryTables.inverseFrequencies(hd, config.ropeTheta, config.ropeScaling);
  }

  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [B, T] = tokens.shape;
    if (T > this.contextLength) throw new Error(`sequence length ${T} exceeds the context length ${this.contextLength}`);
    return tf.tidy(() => {
      const x = embedRows(this.embed, tf.reshape(tokens, [B * T]) as tf.Tensor1D);
      // No dropout in the model (pretrained Llama-family models are fine-tuned without it); LoRA's own applies.
      const { logits } = this.forward(x, B, T, 0, null, false, training);
      return tf.reshape(logits, [B, T, this.config.vocabSize]);
    });
  }

  /**
   * x [B*T, d] holds the embeddings of T new positions after `start` cached ones (B = 1 when there is a
   * cache). Returns logits [B*T, V] (or [1, V] for the last position) and each layer's keys and values.
   */
  private forward(
    x: tf.Tensor2D,
    B: number,
    T: number,
    start: number,
    past: LayerCache[] | null,
    lastOnly: boolean,
    training = false,
  ): { logits: tf.Tensor2D; cache: LayerCache[] } {
    const { rmsEps: eps, embedding: d } = this.config;
    const { cos, sin } = rotaryTables.at(this.inverseFrequencies, start, T);
    const mask = T === 1 ? null : this.causalMask(T, start + T, start);
    const cache: LayerCache[] = [];
    this.blocks.forEach((blk, i) => {
      const attn = this.attention(rmsNorm(x, blk.norm1, eps), blk, B, T, cos, sin, mask, past?.[i], training);
      cache.push(attn.cache);
      x = tf.add(x, attn.out);
      x = tf.add(x, this.mlp(rmsNorm(x, blk.norm2, eps), blk, training));
    });
    const rows = lastOnly && B * T > 1 ? tf.slice(x, [B * T - 1, 0], [1, d]) : x;
    const h = rmsNorm(rows as tf.Tensor2D, this.norm, eps);
    const logits = this.lmHead ? linear(h, this.lmHead) : tiedHead(h, this.embed);
    return { logits, cache };
  }

  /** x . m, plus the LoRA delta when adapters are on. */
  private project(x: tf.Tensor2D, m: Matrix, training: boolean): tf.Tensor2D {
    const y = linear(x, m);
    return this.adapters && m.kind === 'f32' ? this.adapters.adapt(y, x, m.kernel, training) : y;
  }

  /** LoRA goes on every projection of every block: q, k, v, o and the MLP's gate, up and down. */
  adapterTargets(): AdapterTarget[] {
    if (this.config.quantization) throw new Error(`LoRA needs float32 weights and this model is ${this.config.quantization}: fine-tune its float32 base`);
    const kernels = this.blocks.flatMap((b) => [b.q, b.k, b.v, b.o, b.gate, b.up, b.down]).map((m) => (m as Extract<Matrix, { kind: 'f32' }>).kernel);
    return targetsOf(this.weights, kernels);
  }

  useAdapters(adapters: LoraAdapters | null): void {
    this.adapters = adapters;
  }

  /** SwiGLU: down(silu(gate(x)) * up(x)). */
  private mlp(x: tf.Tensor2D, blk: Block, training: boolean): tf.Tensor2D {
    const gate = this.project(x, blk.gate, training);
    const act = tf.mul(gate, tf.sigmoid(gate)); // silu
    return this.project(tf.mul(act, this.project(x, blk.up, training)) as tf.Tensor2D, blk.down, training);
  }

  private attention(
    x: tf.Tensor2D,
    blk: Block,
    B: number,
    T: number,
    cos: tf.Tensor2D,
    sin: tf.Tensor2D,
    mask: tf.Tensor2D | null,
    past: LayerCache | undefined,
    training: boolean,
  ): { out: tf.Tensor2D; cache: LayerCache } {
    const { heads: H, kvHeads: KV, headDim: hd } = this.config;
    const G = H / KV;
    const project = (m: Matrix, bias: tf.Variable | undefined) => {
      const y = this.project(x, m, training);
      return bias ? tf.add(y, bias) : y;
    };
    // [B*T, n*hd] -> [B, n, T, hd]
    const split = (t: tf.Tensor, n: number) =>
      (T === 1 ? tf.reshape(t, [B, n, 1, hd]) : tf.transpose(tf.reshape(t, [B, T, n, hd]), [0, 2, 1, 3])) as tf.Tensor4D;
    const q = tf.mul(rotate(split(project(blk.q, blk.qBias), H), cos, sin), 1 / Math.sqrt(hd)) as tf.Tensor4D;
    const kNew = rotate(split(project(blk.k, blk.kBias), KV), cos, sin);
    const vNew = split(project(blk.v, blk.vBias), KV);
    const k = past ? (tf.concat([past.k, kNew], 2) as tf.Tensor4D) : kNew;
    const v = past ? (tf.concat([past.v, vNew], 2) as tf.Tensor4D) : vNew;
    // Grouped query heads without copying keys: the G query heads of a key head become G*T rows of it.
    const grouped = tf.reshape(q, [B, KV, G * T, hd]); // head h uses key head floor(h / G), as HF's repeat_kv
    const raw = tf.matMul(grouped, k, false, true); // [B, KV, G*T, S]
    const scores = mask ? tf.add(raw, G === 1 ? mask : tf.tile(mask, [G, 1])) : raw;
    const y = tf.matMul(softmax(scores, true), v); // [B, KV, G*T, hd]
    const heads = tf.reshape(y, [B, H, T, hd]);
    const merged = tf.reshape(T === 1 ? heads : tf.transpose(heads, [0, 2, 1, 3]), [B * T, H * hd]) as tf.Tensor2D;
    const projected = this.project(merged, blk.o, training);
    const out = blk.oBias ? tf.add(projected, blk.oBias) : projected;
    return { out: out as tf.Tensor2D, cache: { k, v } };
  }

  /** Additive mask [T, S] for T new positions starting at `start` of S total: each sees itself and earlier. */
  private causalMask(T: number, S: number, start: number): tf.Tensor2D {
    const values = new Float32Array(T * S);
    for (let t = 0; t < T; t++) for (let s = start + t + 1; s < S; s++) values[t * S + s] = MASKED;
    return tf.tensor2d(values, [T, S]);
  }

  createState(): WindowState {
    return new WindowState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    // Rotations are absolute positions in the window, so a slide recomputes the cache (feedWindow does).
    return feedWindow(state, tokens, this.contextLength, this.config.vocabSize, (fresh, start, _length, past) => {
      const x = embedRows(this.embed, tf.tensor1d(fresh, 'int32'));
      const { logits, cache } = this.forward(x, 1, fresh.length, start, past, true);
      return { last: tf.reshape(logits, [-1]) as tf.Tensor1D, cache };
    });
  }


  /** Parameters as the float model counts them (q8 packs four in an int32 and adds a scale per row). */
  parameterCount(): number {
    return llamaParameterCount(this.config);
  }

  dispose(): void {
    disposeWeights(this.weights);
  }
}

registerArchitecture({
  arch: 'llama',
  create: (config, seed) => new LlamaModel(config, seed),
  parameterCount: llamaParameterCount,
  describe: (c) =>
    `${c.layers} layers, ${c.heads} heads (${c.kvHeads} key/value), embedding ${c.embedding}, context ${c.contextLength}`,
});
