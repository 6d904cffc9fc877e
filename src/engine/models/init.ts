// Seeded weight initialisers and the weight bookkeeping shared by the model families.
// (The layer ops they compose live one per file in ../ops/.)
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
