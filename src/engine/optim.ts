// AdamW as in nanoGPT (torch.optim.AdamW): bias-corrected Adam, decoupled weight decay on the
// weights marked `decay`, global-norm gradient clipping computed on device, and the
// warmup + cosine learning-rate schedule.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedWeight, TrainConfig } from './types.js';

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

interface Slot {
  weight: NamedWeight;
  m: tf.Variable;
  v: tf.Variable;
}

const EPSILON = 1e-8;

export class AdamW {
  private readonly slots = new Map<string, Slot>();
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
    for (const weight of weights) {
      if (trainable && !trainable.has(weight.name)) continue;
      this.slots.set(weight.name, { weight, m: zerosLike(weight), v: zerosLike(weight) });
    }
  }

  get stepCount(): number {
    return this.step_;
  }

  /** Names of the weights this optimizer updates. */
  get trainableNames(): string[] {
    return [...this.slots.keys()];
  }

  /** One update. grads are keyed by weight name; grads of frozen weights are ignored. Does not dispose grads. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    const slots = [...this.slots.values()].filter((s) => grads[s.weight.name] !== undefined);
    if (slots.length === 0) throw new Error('no gradients for any trainable weight');
    const { beta1, beta2, weightDecay, gradClip } = this.train;
    const t = this.step_ + 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    tf.tidy(() => {
      // Global-norm clipping as torch.nn.utils.clip_grad_norm_, without reading the norm back.
      let scale: tf.Tensor | null = null;
      if (gradClip > 0) {
        const squares = slots.map((s) => tf.sum(tf.square(grads[s.weight.name])));
        const norm = tf.sqrt(tf.addN(squares));
        scale = tf.minimum(tf.div(gradClip, tf.add(norm, 1e-6)), 1);
      }
      for (const s of slots) {
        const g = scale ? tf.mul(grads[s.weight.name], scale) : grads[s.weight.name];
        const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        s.m.assign(m);
        s.v.assign(v);
        let w: tf.Tensor = s.weight.variable;
        if (s.weight.decay && weightDecay > 0) w = tf.mul(w, 1 - lr * weightDecay);
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), EPSILON));
        s.weight.variable.assign(tf.sub(w, tf.mul(update, lr)));
      }
    });
    this.step_ = t;
  }

  /** The live moment variables (do not dispose them) and the step count. */
  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, s] of this.slots) {
      tensors[`m/${name}`] = s.m;
      tensors[`v/${name}`] = s.v;
    }
    return { step: this.step_, tensors };
  }

  /** Copies saved moments in; throws a one-line Error when a slot is missing or mis-shaped. */
  setState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new Error(`optimizer state has a bad step count: ${state.step}`);
    }
    for (const [name, s] of this.slots) {
      for (const key of [`m/${name}`, `v/${name}`]) {
        const t = state.tensors[key];
        if (!t) throw new Error(`optimizer state does not match the model: missing ${key}`);
        if (!sameShape(t.shape, s.m.shape)) {
          throw new Error(
            `optimizer state does not match the model: ${key} has shape [${t.shape}], expected [${s.m.shape}]`,
          );
        }
      }
    }
    tf.tidy(() => {
      for (const [name, s] of this.slots) {
        s.m.assign(tf.cast(state.tensors[`m/${name}`], 'float32'));
        s.v.assign(tf.cast(state.tensors[`v/${name}`], 'float32'));
      }
    });
    this.step_ = state.step;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}

function zerosLike(weight: NamedWeight): tf.Variable {
  const zeros = tf.zeros(weight.variable.shape);
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
