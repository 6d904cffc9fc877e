// Model construction, weight loading and the groups used by `--freeze N`.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone has no gradients registered; training needs them (see gradients.ts).
import '../runtime/gradients.js';
import type { LanguageModel, ModelConfig, NamedWeight } from '../types.js';
// Every family registers itself on import.
import './gpt.js';
import './gpt2.js';
import './rnn.js';
import './llama.js';
import './llama-hf.js';

export { activationBytesPerToken, architectureOf, countParameters, createModel, describeShape, isArch, knownArchitectures } from './architectures.js';

/** Copies saved values into the model's variables; a one-line Error when names or shapes differ. */
export function assignWeights(model: LanguageModel, tensors: Record<string, tf.Tensor>): void {
  for (const w of model.weights) {
    const t = tensors[w.name];
    if (!t) throw new Error(`weights do not match the model: missing ${w.name}`);
    const want = w.variable.shape;
    if (t.shape.length !== want.length || t.shape.some((n, i) => n !== want[i])) {
      throw new Error(`weights do not match the model: ${w.name} has shape [${t.shape}], expected [${want}]`);
    }
  }
  const known = new Set(model.weights.map((w) => w.name));
  const extra = Object.keys(tensors).find((name) => !known.has(name));
  if (extra) throw new Error(`weights do not match the model: unexpected ${extra}`);
  tf.tidy(() => {
    for (const w of model.weights) w.variable.assign(tf.cast(tensors[w.name], w.variable.dtype)); // q8 weights are int32
  });
}

/** The model's weights as a name -> tensor map (the live variables: do not dispose them). */
export function namedTensors(model: LanguageModel): Record<string, tf.Tensor> {
  return Object.fromEntries(model.weights.map((w) => [w.name, w.variable]));
}

/** Groups frozen by `--freeze N`: "embedding" and "layer0".."layer{N-1}". */
export function frozenGroups(freeze: number): Set<string> {
  return new Set(['embedding', ...Array.from({ length: freeze }, (_, i) => `layer${i}`)]);
}

/**
 * Names of the weights left trainable by `--freeze N`: undefined freezes nothing; N freezes the
 * embeddings and the first N layers (so 0 freezes the embeddings only). Throws when N is bad.
 */
export function trainableNames(model: LanguageModel, freeze: number | undefined): Set<string> {
  if (freeze === undefined) return new Set(model.weights.map((w) => w.name));
  if (!Number.isInteger(freeze) || freeze < 0) throw new Error(`--freeze must be a whole number >= 0, got ${freeze}`);
  if (freeze > model.config.layers) {
    throw new Error(`--freeze ${freeze} is more than the model's ${model.config.layers} layers`);
  }
  const frozen = frozenGroups(freeze);
  return new Set(model.weights.filter((w) => !frozen.has(w.group)).map((w) => w.name));
}

/** Gradients of `loss` keyed by weight name, for the trainable weights only. Caller disposes all. */
export function gradients(
  model: LanguageModel,
  trainable: ReadonlySet<string> | null,
  loss: () => tf.Scalar,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const used: NamedWeight[] = model.weights.filter((w) => !trainable || trainable.has(w.name));
  const { value, grads } = tf.variableGrads(loss, used.map((w) => w.variable));
  const named: Record<string, tf.Tensor> = {};
  for (const w of used) named[w.name] = grads[w.variable.name];
  return { value, grads: named };
}
