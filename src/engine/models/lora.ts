// LoRA (Hu et al., 2021): a frozen projection W [in, out] gains a trainable low-rank update,
//   y = x W + b + (alpha / rank) * dropout(x) A B,    A [in, rank], B [rank, out]
// B starts at zero, so a fresh adapter leaves the model exactly as it was. A family opts in by naming its
// projections (adapterTargets) and by passing each projection's output through `adapt`; everything else
// lives here: the adapter weights, the delta, merging them into the kernels, and LoraModel, whose weights are
// the adapters only (what a LoRA variant trains, saves and loads on top of its base).
import * as tf from '@tensorflow/tfjs-core';
import { Dropout } from '../ops/dropout.js';
import { seedFor } from './init.js';
import type { DecodeState, LanguageModel, NamedWeight } from '../types.js';
import { checkLoraSettings, type LoraSettings } from './lora-settings.js';

export { defaultLoraSettings, type LoraSettings } from './lora-settings.js';

/** One projection that takes an adapter: its float32 kernel [inDim, outDim] and the kernel's weight name. */
export interface AdapterTarget {
  name: string;
  kernel: tf.Variable;
  inDim: number;
  outDim: number;
}

/** A model family that supports LoRA. */
export interface AdaptableModel extends LanguageModel {
  /** The projections adapters go on; throws (one line) when the weights cannot take them (q8). */
  adapterTargets(): AdapterTarget[];
  /** Route every projection through `adapters` (null: plain weights again). */
  useAdapters(adapters: LoraAdapters | null): void;
}

export function isAdaptable(model: LanguageModel): model is AdaptableModel {
  return typeof (model as Partial<AdaptableModel>).adapterTargets === 'function';
}

/** The targets for `kernels`, named as in `weights` (a family's weight list). */
export function targetsOf(weights: readonly NamedWeight[], kernels: readonly tf.Variable[]): AdapterTarget[] {
  const nameOf = new Map(weights.map((w) => [w.variable, w.name]));
  return kernels.map((kernel) => {
    const name = nameOf.get(kernel);
    if (name === undefined || kernel.shape.length !== 2) throw new Error('LoRA: a projection kernel is not one of the model weights');
    return { name, kernel, inDim: kernel.shape[0]!, outDim: kernel.shape[1]! };
  });
}

/** Trainable parameters of adapters of `rank` on `targets`. */
export function adapterParameterCount(targets: readonly Pick<AdapterTarget, 'inDim' | 'outDim'>[], rank: number): number {
  return targets.reduce((n, t) => n + rank * (t.inDim + t.outDim), 0);
}

export class LoraAdapters {
  readonly weights: NamedWeight[] = [];
  readonly scale: number;
  private readonly pairs = new Map<tf.Variable, { a: tf.Variable; b: tf.Variable }>();
  private readonly dropout: Dropout;

  constructor(
    readonly targets: readonly AdapterTarget[],
    readonly settings: LoraSettings,
    seed: number,
  ) {
    checkLoraSettings(settings, targets);
    const r = settings.rank;
    this.scale = settings.alpha / r;
    this.dropout = new Dropout(settings.dropout, seedFor(seed, 'lora-dropout'));
    for (const t of targets) {
      // A as nn.Linear initialises its weight (PEFT's default): uniform in +-1/sqrt(in). B is zero.
      const bound = 1 / Math.sqrt(t.inDim);
      // tidy frees the initial values (a variable copies its own; tidy never frees variables).
      const [a, b] = tf.tidy(() => [
        tf.variable(tf.randomUniform([t.inDim, r], -bound, bound, 'float32', seedFor(seed, `${t.name}/lora_a`))),
        tf.variable(tf.zeros([r, t.outDim])),
      ]);
      this.pairs.set(t.kernel, { a, b });
      this.weights.push({ name: `${t.name}/lora_a`, variable: a, decay: false, group: 'lora' }, { name: `${t.name}/lora_b`, variable: b, decay: false, group: 'lora' });
    }
  }

  /** y + scale * (dropout(x) A) B for the projection whose kernel is `kernel`; y itself when it has no adapter. */
  adapt(y: tf.Tensor2D, x: tf.Tensor2D, kernel: tf.Variable, training: boolean): tf.Tensor2D {
    const pair = this.pairs.get(kernel);
    if (!pair) return y;
    const low = tf.matMul(this.dropout.apply(x, training), pair.a); // [rows, r]
    return tf.add(y, tf.matMul(tf.mul(low, this.scale), pair.b)) as tf.Tensor2D;
  }

  parameterCount(): number {
    return adapterParameterCount(this.targets, this.settings.rank);
  }

  /** W + scale * A B for every target, written into the kernels: the adapters' effect becomes permanent. */
  foldIntoKernels(): void {
    tf.tidy(() => {
      for (const [kernel, { a, b }] of this.pairs) kernel.assign(tf.add(kernel, tf.mul(tf.matMul(a, b), this.scale)));
    });
  }

  dispose(): void {
    for (const w of this.weights) w.variable.dispose();
  }
}

/**
 * A base model with adapters on: it reads and runs like the base, but its `weights` are the adapters only, so
 * training updates them alone and a checkpoint of it is the adapter. It owns the base (dispose frees both).
 */
export class LoraModel implements LanguageModel {
  readonly weights: readonly NamedWeight[];
  readonly config: LanguageModel['config'];
  readonly contextLength: number | null;
  readonly adapters: LoraAdapters;
  readonly hidden?: (tokens: tf.Tensor2D, training: boolean) => tf.Tensor3D;

  constructor(
    readonly base: AdaptableModel,
    settings: LoraSettings,
    seed: number,
  ) {
    this.adapters = new LoraAdapters(base.adapterTargets(), settings, seed);
    base.useAdapters(this.adapters);
    this.weights = this.adapters.weights;
    this.config = base.config;
    this.contextLength = base.contextLength;
    if (base.hidden) this.hidden = (tokens, training) => base.hidden!(tokens, training);
  }

  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return this.base.apply(tokens, training);
  }

  createState(): DecodeState {
    return this.base.createState();
  }

  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D {
    return this.base.feed(state, tokens);
  }

  /** The base's parameters plus the adapters'. */
  parameterCount(): number {
    return this.base.parameterCount() + this.adapters.parameterCount();
  }

  /** Folds the adapters into the base's kernels and returns the base, now a plain merged model; this wrapper is spent. */
  mergeIntoBase(): AdaptableModel {
    this.adapters.foldIntoKernels();
    this.base.useAdapters(null);
    this.adapters.dispose();
    return this.base;
  }

  dispose(): void {
    this.adapters.dispose();
    this.base.dispose();
  }
}
