// AdamW as in nanoGPT (torch.optim.AdamW): bias-corrected Adam, decoupled weight decay on the
// weights marked `decay`, global-norm gradient clipping computed on device, and the
// warmup + cosine learning-rate schedule.
// The update runs on ONE flat vector of all trainable weights: on wasm every kernel call pays a dispatch
// cost, and a dozen ops per weight tensor made AdamW a large share of a GPT step's calls (bench/RESULTS.md).
import * as tf from '@tensorflow/tfjs-core';
import { ADAMW, hasTrainingKernel } from '../kernels/training/simd-training.js';
import type { NamedWeight, TrainConfig } from '../types.js';

/** Linear warmup to learningRate, cosine decay to minLearningRate at decaySteps, then flat. */
export function learningRateAt(step: number, train: TrainConfig): number {
  const { learningRate: lr, minLearningRate: minLr, warmupSteps, decaySteps } = train;
  if (step < warmupSteps) return (lr * (step + 1)) / (warmupSteps + 1);
  if (step >= decaySteps) return minLr;
  const ratio = (step - warmupSteps) / (decaySteps - warmupSteps);
  return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (lr - minLr);
}

export interface OptimizerState {
  step: number;
  /** Moment slots named `m/<weight name>` and `v/<weight name>`. */
  tensors: Record<string, tf.Tensor>;
}

/** Where one trainable weight lives in the flat buffers. */
interface Slot {
  weight: NamedWeight;
  offset: number;
  size: number;
}

/** The flat moments and the constant decay mask; absent when nothing is trainable. */
interface FlatState {
  m: tf.Variable;
  v: tf.Variable;
  /** true where the weight decays; null when all or none do (no mask op needed). */
  decayMask: tf.Tensor | null;
  allDecay: boolean;
}

const EPSILON = 1e-8;

export class AdamW {
  private readonly slots: Slot[] = [];
  private flat: FlatState | null = null;
  private step_ = 0;

  /**
   * @param weights the model's weights
   * @param train beta1, beta2, weightDecay and gradClip (0 = no clipping) are read from it
   * @param trainable names of the weights to update; the others are skipped entirely (frozen)
   */
  constructor(
    weights: readonly NamedWeight[],
    private readonly train: TrainConfig,
    trainable?: ReadonlySet<string>,
  ) {
    let offset = 0;
    for (const weight of weights) {
      if (trainable && !trainable.has(weight.name)) continue;
      this.slots.push({ weight, offset, size: weight.variable.size });
      offset += weight.variable.size;
    }
    if (offset === 0) return;
    const anyDecay = this.slots.some((s) => s.weight.decay);
    const allDecay = this.slots.every((s) => s.weight.decay);
    let decayMask: tf.Tensor | null = null;
    if (anyDecay && !allDecay) {
      const mask = new Uint8Array(offset);
      for (const s of this.slots) if (s.weight.decay) mask.fill(1, s.offset, s.offset + s.size);
      decayMask = tf.tensor1d(mask, 'bool');
    }
    this.flat = { m: zerosVariable(offset), v: zerosVariable(offset), decayMask, allDecay };
  }

  get stepCount(): number {
    return this.step_;
  }

  /** Names of the weights this optimizer updates. */
  get trainableNames(): string[] {
    return this.slots.map((s) => s.weight.name);
  }

  /** One update. grads are keyed by weight name; grads of frozen weights are ignored. Does not dispose grads. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    const flat = this.flat;
    const missing = this.slots.filter((s) => grads[s.weight.name] === undefined);
    if (!flat || missing.length === this.slots.length) throw new Error('no gradients for any trainable weight');
    const { beta1, beta2, weightDecay, gradClip } = this.train;
    const t = this.step_ + 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    if (missing.length === 0 && hasTrainingKernel(ADAMW)) {
      this.fusedStep(flat, grads, { beta1, beta2, weightDecay, gradClip, lr, bc1, bc2, epsilon: EPSILON });
      this.step_ = t;
      return;
    }
    tf.tidy(() => {
      // A weight without a gradient counts as a zero gradient in the norm and keeps its moments and value.
      let g: tf.Tensor = flatten(this.slots.map((s) => grads[s.weight.name] ?? tf.zeros(s.weight.variable.shape)));
      // Global-norm clipping as torch.nn.utils.clip_grad_norm_, without reading the norm back.
      if (gradClip > 0) {
        const norm = tf.sqrt(tf.sum(tf.square(g)));
        g = tf.mul(g, tf.minimum(tf.div(gradClip, tf.add(norm, 1e-6)), 1));
      }
      let m = tf.add(tf.mul(flat.m, beta1), tf.mul(g, 1 - beta1));
      let v = tf.add(tf.mul(flat.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      if (missing.length > 0) {
        const present = this.presentMask(missing);
        m = tf.where(present, m, flat.m);
        v = tf.where(present, v, flat.v);
      }
      flat.m.assign(m);
      flat.v.assign(v);
      let w: tf.Tensor = flatten(this.slots.map((s) => s.weight.variable));
      if (weightDecay > 0 && (flat.allDecay || flat.decayMask)) {
        // Same factor as the per-tensor form, so decayed values match it bit for bit.
        const decayed = tf.mul(w, 1 - lr * weightDecay);
        w = flat.decayMask ? tf.where(flat.decayMask, decayed, w) : decayed;
      }
      const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), EPSILON));
      const pieces = unflatten(tf.sub(w, tf.mul(update, lr)), this.slots);
      this.slots.forEach((s, i) => {
        if (grads[s.weight.name] !== undefined) s.weight.variable.assign(pieces[i]);
      });
    });
    this.step_ = t;
  }

  /**
   * The moments as per-weight `m/<name>` and `v/<name>` tensors (the checkpoint format) and the step
   * count. The tensors are fresh copies cut from the flat buffers: the caller owns and disposes them.
   */
  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    if (this.flat) {
      const { m, v } = this.flat;
      // Cut from clones: with a single rank-1 slot unflatten would hand back the live buffer itself.
      const cut = tf.tidy(() => [unflatten(m.clone(), this.slots), unflatten(v.clone(), this.slots)]);
      this.slots.forEach((s, i) => {
        tensors[`m/${s.weight.name}`] = cut[0][i];
        tensors[`v/${s.weight.name}`] = cut[1][i];
      });
    }
    return { step: this.step_, tensors };
  }

  /** Copies saved moments in (it does not take or dispose them); throws a one-line Error when a slot is missing or mis-shaped. */
  setState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new Error(`optimizer state has a bad step count: ${state.step}`);
    }
    for (const { weight } of this.slots) {
      for (const key of [`m/${weight.name}`, `v/${weight.name}`]) {
        const t = state.tensors[key];
        if (!t) throw new Error(`optimizer state does not match the model: missing ${key}`);
        if (!sameShape(t.shape, weight.variable.shape)) {
          throw new Error(
            `optimizer state does not match the model: ${key} has shape [${t.shape}], expected [${weight.variable.shape}]`,
          );
        }
      }
    }
    const flat = this.flat;
    if (flat) {
      tf.tidy(() => {
        const slotsOf = (prefix: string) => this.slots.map((s) => tf.cast(state.tensors[`${prefix}/${s.weight.name}`], 'float32'));
        flat.m.assign(flatten(slotsOf('m')));
        flat.v.assign(flatten(slotsOf('v')));
      });
    }
    this.step_ = state.step;
  }

  dispose(): void {
    if (this.flat) tf.dispose([this.flat.m, this.flat.v, ...(this.flat.decayMask ? [this.flat.decayMask] : [])]);
    this.flat = null;
    this.slots.length = 0;
  }

  /**
   * The same update in one fused kernel (wasm): it reads each gradient and weight where it is, so there is no
   * concatenation or split, and clipping, moments, decay and the step are one pass instead of ~20 kernel calls.
   */
  private fusedStep(flat: FlatState, grads: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): void {
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { m: flat.m, v: flat.v };
      this.slots.forEach((s, i) => {
        inputs[`g${i}`] = grads[s.weight.name];
        inputs[`w${i}`] = s.weight.variable;
      });
      const decays = this.slots.map((s) => s.weight.decay);
      const [m, v, ...weights] = tf.engine().runKernel(ADAMW, inputs, { ...attrs, decays }) as tf.Tensor[];
      flat.m.assign(m);
      flat.v.assign(v);
      this.slots.forEach((s, i) => s.weight.variable.assign(weights[i]));
    });
  }

  /** true over the weights that have a gradient this step (rare path: some gradient is missing). */
  private presentMask(missing: Slot[]): tf.Tensor {
    const total = this.flat!.m.size;
    const present = new Uint8Array(total).fill(1);
    for (const s of missing) present.fill(0, s.offset, s.offset + s.size);
    return tf.tensor1d(present, 'bool');
  }
}

/** One 1-D concat of the tensors (rank-1 ones need no reshape call). */
function flatten(tensors: tf.Tensor[]): tf.Tensor1D {
  const pieces = tensors.map((t) => (t.rank === 1 ? t : tf.reshape(t, [-1])));
  return (pieces.length === 1 ? pieces[0] : tf.concat(pieces)) as tf.Tensor1D;
}

/** Split a flat vector back into tensors shaped like the slots' weights. */
function unflatten(flat: tf.Tensor, slots: readonly Slot[]): tf.Tensor[] {
  const pieces = slots.length === 1 ? [flat] : tf.split(flat, slots.map((s) => s.size));
  return pieces.map((p, i) => {
    const shape = slots[i].weight.variable.shape;
    return shape.length === 1 ? p : tf.reshape(p, shape);
  });
}

function zerosVariable(size: number): tf.Variable {
  const zeros = tf.zeros([size]);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
