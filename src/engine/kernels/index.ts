/**
 * Kernel fixes for the tfjs wasm backend (missing or slow stock kernels). Install after tf.setBackend('wasm') and
 * tf.ready(): the stock kernels must be registered and set up first, since the fixes delegate to them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { batchMatMulKernel } from './fixes/transpose-matmul.js';
import { expKernel, identityKernel, tanhKernel } from './fixes/elementwise.js';
import { loadNativeBlas, nativeBlasDescription } from './native-blas.js';
import { useNativeBlas } from './native-matmul.js';
import { sumKernel } from './fixes/sum.js';
import { fusedMatMulKernel } from './fixes/fused-matmul.js';
import { gatherKernel } from './fixes/gather.js';
import { tileKernel } from './fixes/tile.js';
import { ROPE_KERNELS } from './rope.js';
import { RMS_NORM_KERNELS } from './rms-norm.js';
import { CROSS_ENTROPY_KERNELS } from './training/cross-entropy.js';
import { LSTM_KERNELS } from './training/lstm-kernels.js';
import { HEADS_KERNELS } from './training/heads.js';
import { TRAINING_KERNELS } from './training/simd-training.js';
import { GELU_KERNEL, geluKernel } from './decode/gelu.js';
import { LAYER_NORM_KERNEL, layerNormKernel } from './decode/layer-norm.js';
import { RECURRENT_DECODE_KERNELS } from './decode/recurrent-decode.js';
import { ATTENTION_DECODE_KERNELS } from './decode/attention-decode.js';
import { Q8_KERNELS } from './decode/q8.js';
import { sliceKernel, splitVKernel, unpackKernel } from './fixes/slice.js';
import { unsortedSegmentSumKernel } from './fixes/unsorted-segment-sum.js';
import { type WasmKernelFunc, replaceWasmKernel, stockKernel } from './wasm-internals.js';

type Fix = { name: string; kernels: Record<string, WasmKernelFunc> };

/** Each fix by the name reported in BackendInfo.accelerations. */
const fixes: Fix[] = [
  { name: 'transpose-matmul', kernels: { BatchMatMul: batchMatMulKernel, _FusedMatMul: fusedMatMulKernel } },
  { name: 'segment-sum', kernels: { UnsortedSegmentSum: unsortedSegmentSumKernel } },
  { name: 'zero-copy-slice', kernels: { Slice: sliceKernel, SplitV: splitVKernel, Unpack: unpackKernel, Identity: identityKernel } },
  { name: 'tanh-exp', kernels: { Tanh: tanhKernel, Exp: expKernel } },
  { name: 'leading-sum', kernels: { Sum: sumKernel } },
  { name: 'js-gather', kernels: { GatherV2: gatherKernel } },
  { name: 'run-copy-tile', kernels: { Tile: tileKernel } },
  { name: 'fused-rope', kernels: ROPE_KERNELS },
  { name: 'fused-rmsnorm', kernels: RMS_NORM_KERNELS },
  { name: 'simd-training', kernels: TRAINING_KERNELS },
  { name: 'softmax-cross-entropy', kernels: CROSS_ENTROPY_KERNELS },
  { name: 'lstm-sequence', kernels: LSTM_KERNELS },
  { name: 'attention-heads', kernels: HEADS_KERNELS },
];

/**
 * Inference-only fused kernels with no stock equivalent: the models call them by name when the backend has them.
 * Installed with the fixes but not listed among the accelerations (they replace nothing).
 */
const inferenceKernels: Fix = {
  name: 'inference-kernels',
  kernels: { [LAYER_NORM_KERNEL]: layerNormKernel, [GELU_KERNEL]: geluKernel, ...RECURRENT_DECODE_KERNELS, ...ATTENTION_DECODE_KERNELS, ...Q8_KERNELS },
};

/** The native BLAS accelerator, when it loads: products and leading sums in place on the heap (no kernels of its own). */
const nativeFix: Fix = { name: 'native-blas', kernels: {} };

let installed: string[] | null = null;
let activeFixes: Fix[] = [];

/**
 * Register the fixes on the wasm backend; returns their names, the native one with what it runs on
 * ("native-blas (OpenBLAS 0.3.21 Haswell, 1 thread)"). Idempotent. When the native accelerator cannot load,
 * nativeBlasNote() says why in one line.
 */
export function installWasmKernelFixes(): string[] {
  if (installed) return installed;
  if (tf.findBackend('wasm') == null) throw new Error('installWasmKernelFixes: the wasm backend is not initialised');
  const { blas } = loadNativeBlas();
  useNativeBlas(blas);
  activeFixes = blas ? [...fixes, nativeFix] : fixes;
  for (const fix of [...activeFixes, inferenceKernels]) {
    for (const [kernel, func] of Object.entries(fix.kernels)) replaceWasmKernel(kernel, func);
  }
  installed = activeFixes.map((f) => (f === nativeFix ? `${f.name} (${nativeBlasDescription()})` : f.name));
  return installed;
}

/** Why the native accelerator is off ("" when it is on or not tried yet). */
export function nativeBlasNote(): string {
  return installed ? loadNativeBlas().note : '';
}

/** Put the stock kernels back (for A/B comparisons in tests and benchmarks). */
export function uninstallWasmKernelFixes(): void {
  if (!installed) return;
  useNativeBlas(null);
  for (const fix of [...activeFixes, inferenceKernels]) {
    for (const kernel of Object.keys(fix.kernels)) {
      tf.unregisterKernel(kernel, 'wasm');
      let stock: WasmKernelFunc | null = null;
      try {
        stock = stockKernel(kernel);
      } catch {
        stock = null; // the kernel did not exist in stock wasm (UnsortedSegmentSum)
      }
      if (stock) tf.registerKernel({ kernelName: kernel, backendName: 'wasm', kernelFunc: stock as unknown as KernelFunc } as KernelConfig);
    }
  }
  installed = null;
}
