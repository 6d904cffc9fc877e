// Seeded weight initialisers and the small building blocks shared by the model families.
import * as tf from '@tensorflow/tfjs-core';
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

  private add(name: string, group: string, decay: boolean, init: tf.Tensor): tf.Variable {
    // No variable name: tfjs variable names are global, and two models may be alive at once.
    const variable = tf.variable(init, true);
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

  /** A 1-D weight with a different value per slice, e.g. the LSTM bias with its forget gate at 1. */
  vector(name: string, group: string, values: Float32Array): tf.Variable {
    return this.add(name, group, false, tf.tensor1d(values, 'float32'));
  }
}

/**
 * LayerNorm without bias (nanoGPT's bias=False) over the last axis. The same arithmetic as tf.moments, written
 * out so x - mean is computed once and no casts or reshapes are added (fewer kernel calls, forward and back).
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D): tf.Tensor2D {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gamma);
}

const GELU_A = 2 * Math.sqrt(2 / Math.PI);
const GELU_B = GELU_A * 0.044715;

/**
 * GELU, tanh approximation, as x * sigmoid(2u) with u = sqrt(2/pi) * (x + 0.044715 x^3), since
 * 0.5 * (1 + tanh(u)) = sigmoid(2u): six kernel calls instead of ten, equal up to float rounding.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const twiceU = tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_B), GELU_A));
  return tf.mul(x, tf.sigmoid(twiceU));
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
