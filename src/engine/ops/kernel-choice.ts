// How an op picks its implementation: a fused kernel where the active backend registers one (wasm's
// Inkling* and SIMD training kernels), else the composite tfjs ops.
import * as tf from '@tensorflow/tfjs-core';

/** Fused kernels are used only where the active backend registers them. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

export function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

/**
 * From this many values an inference LayerNorm or GELU (a batched evaluation) runs on the SIMD training kernels:
 * the JS inference kernels, made for decoding's few rows, are several times slower there (bench/RESULTS.md).
 */
export const LARGE = 16384;
