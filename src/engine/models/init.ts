// Seeded weight initialisers and the small building blocks shared by the model families.
import * as tf from '@tensorflow/tfjs-core';
import { GELU_KERNEL } from '../kernels/decode/gelu.js';
import { LAYER_NORM_KERNEL } from '../kernels/decode/layer-norm.js';
import { SPLIT_HEADS } from '../kernels/training/heads.js';
import { TRAIN_GELU, TRAIN_GELU_GRAD, TRAIN_LAYER_NORM, TRAIN_SOFTMAX } from '../kernels/training/simd-training.js';
import type { NamedWeight } from '../types.js';

/**
 * A per-weight seed from the model seed and the weight's stable name (FNV-1a), so a weight's
 * initial value does not depend on the order in which weights are built.
 */
export function seedFor(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Builds NamedWeights; tf.randomNormal/randomUniform fill on the CPU in JS, so values match on every backend. */
export class WeightBuilder {
  readonly weights: NamedWeight[] = [];

  constructor(private readonly seed: number) {}

  private add(name: string, group: string, decay: boolean, init: tf.Tensor, trainable = true): tf.Variable {
    // No variable name: tfjs variable names are global, and two models may be alive at once.
    const variable = tf.variable(init, trainable);
    init.dispose();
    this.weights.push({ name, variable, decay, group });
    return variable;
  }

  normal(name: string, group: string, shape: number[], std: number): tf.Variable {
    return this.add(name, group, true, tf.randomNormal(shape, 0, std, 'float32', seedFor(this.seed, name)));
  }

  glorotUniform(name: string, group: string, shape: [number, number]): tf.Variable {
    const limit = Math.sqrt(6 / (shape[0] + shape[1]));
    return this.add(name, group, true, tf.randomUniform(shape, -limit, limit, 'float32', seedFor(this.seed, name)));
  }

  /** A 1-D weight (bias or gain): never weight-decayed, as in nanoGPT. */
  constant(name: string, group: string, size: number, value: number): tf.Variable {
    return this.add(name, group, false, tf.fill([size], value));
  }

  /** Zeros that are loaded, never trained: q8 weights (int32-packed int8) and their scales. */
  frozen(name: string, group: string, shape: number[], dtype: 'int32' | 'float32'): tf.Variable {
    return this.add(name, group, false, tf.zeros(shape, dtype), false);
  }

  /** A 1-D weight with a different value per slice, e.g. the LSTM bias with its forget gate at 1. */
  vector(name: string, group: string, values: Float32Array): tf.Variable {
    return this.add(name, group, false, tf.tensor1d(values, 'float32'));
  }
}

/**
 * From this many values an inference LayerNorm or GELU (a batched evaluation) runs on the SIMD training kernels:
 * the JS inference kernels, made for decoding's few rows, are several times slower there (bench/RESULTS.md).
 */
const LARGE = 16384;

/**
 * LayerNorm without bias (nanoGPT's bias=False) over the last axis, with a hand-written gradient: autodiff
 * through the eight ops costs ~25 backward kernel calls and a saved copy per op input; this saves two tensors.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, training = true): tf.Tensor2D {
  // Outside training the same ops run bare: a customGrad call costs a scope per use (decode is dispatch-bound).
  if (!training) {
    if (x.size >= LARGE && hasKernel(TRAIN_LAYER_NORM)) return runKernel(TRAIN_LAYER_NORM, { x, gamma }, { epsilon: 1e-5 }) as tf.Tensor2D;
    if (hasKernel(LAYER_NORM_KERNEL)) return runKernel(LAYER_NORM_KERNEL, { x, gamma }, { epsilon: 1e-5 }) as tf.Tensor2D;
    return tf.mul(normalise(x).normed, gamma);
  }
  // One fused kernel each way where the backend has it (wasm): the composite costs ~20 calls per use.
  if (hasKernel(TRAIN_LAYER_NORM)) return runKernel(TRAIN_LAYER_NORM, { x, gamma }, { epsilon: 1e-5 }) as tf.Tensor2D;
  return layerNormOp(x, gamma) as tf.Tensor2D;
}

function normalise(x: tf.Tensor): { normed: tf.Tensor; rstd: tf.Tensor } {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), 1e-5));
  return { normed: tf.mul(centred, rstd), rstd };
}

const layerNormOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, gamma] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const { normed, rstd } = normalise(x);
  save([normed, rstd, gamma]);
  return {
    value: tf.mul(normed, gamma),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xhat, r, g] = saved;
      // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with dxhat = dy * gamma.
      const dxhat = tf.mul(dy, g);
      const dgamma = tf.sum(tf.mul(dy, xhat), 0);
      const along = tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true));
      const dx = tf.mul(tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), along), r);
      return [dx, dgamma];
    },
  };
});

const GELU_A = 2 * Math.sqrt(2 / Math.PI);
const GELU_B = GELU_A * 0.044715;

/**
 * GELU, tanh approximation, as x * sigmoid(t) with t = 2u = 2 sqrt(2/pi) (x + 0.044715 x^3), since
 * 0.5 (1 + tanh(u)) = sigmoid(2u); equal to the tanh form up to float rounding. A hand-written gradient
 * (dt/dx = A + 3B x^2) saves x and sigmoid(t) instead of a copy per op input.
 */
export function gelu(x: tf.Tensor, training = true): tf.Tensor {
  if (training) return geluOp(x);
  if (x.size >= LARGE && hasKernel(TRAIN_GELU)) {
    const [y, s] = tf.engine().runKernel(TRAIN_GELU, { x }) as tf.Tensor[];
    s.dispose();
    return y;
  }
  return hasKernel(GELU_KERNEL) ? runKernel(GELU_KERNEL, { x }) : tf.mul(x, geluGate(x));
}

/** Fused inference kernels (wasm's InklingLayerNorm/InklingGelu) are used only where the active backend registers them. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

export function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

/** sigmoid(t), t = x (A + B x^2). */
function geluGate(x: tf.Tensor): tf.Tensor {
  return tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_B), GELU_A)));
}

const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  // One fused forward call where the backend has it (wasm), giving the output and s.
  const [y, s] = hasKernel(TRAIN_GELU) ? (tf.engine().runKernel(TRAIN_GELU, { x }) as tf.Tensor[]) : [null, geluGate(x)];
  save([x, s]);
  return {
    value: y ?? tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, sig] = saved;
      if (hasKernel(TRAIN_GELU_GRAD)) return runKernel(TRAIN_GELU_GRAD, { dy, x: xs, s: sig });
      const dt = tf.add(tf.mul(tf.square(xs), 3 * GELU_B), GELU_A);
      // d/dx x*s(t) = s + x * s (1 - s) * dt/dx
      const slope = tf.add(sig, tf.mul(tf.mul(xs, tf.mul(sig, tf.sub(1, sig))), dt));
      return tf.mul(dy, slope);
    },
  };
});

/** Softmax over the last axis; in training, with a one-pass fused gradient where the backend has it (wasm). */
export function softmax(x: tf.Tensor, training: boolean): tf.Tensor {
  return training && hasKernel(TRAIN_SOFTMAX) ? runKernel(TRAIN_SOFTMAX, { logits: x }) : tf.softmax(x);
}

/**
 * q * scale, k, v [B, H, T, hs] from qkv [B*T, 3*H*hs] (each third head-major) in one fused kernel call each way,
 * or null where the backend lacks it (then the model splits with its composite ops).
 */
export function splitHeads(qkv: tf.Tensor, B: number, T: number, H: number, scale: number): tf.Tensor4D[] | null {
  const hs = qkv.size / (3 * H * B * T);
  if (!hasKernel(SPLIT_HEADS) || hs % 4 !== 0) return null;
  return tf.engine().runKernel(SPLIT_HEADS, { qkv }, { B, T, H, scale }) as tf.Tensor4D[];
}

/** Dropout with masks drawn from the model seed, so a seeded training run is reproducible. */
export class Dropout {
  private calls = 0;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {}

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training || this.rate <= 0) return x;
    return tf.dropout(x, this.rate, undefined, seedFor(this.seed, `dropout${this.calls++}`)) as T;
  }
}

export function sumSizes(weights: readonly NamedWeight[]): number {
  return weights.reduce((n, w) => n + w.variable.size, 0);
}

export function disposeWeights(weights: readonly NamedWeight[]): void {
  for (const w of weights) w.variable.dispose();
}

/** Feed's input check: ids must index the vocabulary (an out-of-range gather is garbage, not an error, on some backends). */
export function checkTokens(tokens: readonly number[], vocabSize: number): void {
  if (tokens.length === 0) throw new Error('feed needs at least one token');
  const bad = tokens.find((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize);
  if (bad !== undefined) throw new Error(`token id ${bad} is outside the vocabulary of ${vocabSize}`);
}
