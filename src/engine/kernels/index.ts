/**
 * Kernel fixes for the tfjs wasm backend (missing or slow stock kernels). Install after tf.setBackend('wasm') and
 * tf.ready(): the stock kernels must be registered and set up first, since the fixes delegate to them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { batchMatMulKernel } from './batch-matmul.js';
import { fusedMatMulKernel } from './fused-matmul.js';
import { sliceKernel, splitVKernel } from './slice.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';
import { type WasmKernelFunc, replaceWasmKernel, stockKernel } from './wasm-internals.js';

type Fix = { name: string; kernels: Record<string, WasmKernelFunc> };

/** Each fix by the name reported in BackendInfo.accelerations. */
const fixes: Fix[] = [
  { name: 'transpose-matmul', kernels: { BatchMatMul: batchMatMulKernel, _FusedMatMul: fusedMatMulKernel } },
  { name: 'segment-sum', kernels: { UnsortedSegmentSum: unsortedSegmentSumKernel } },
  { name: 'zero-copy-slice', kernels: { Slice: sliceKernel, SplitV: splitVKernel } },
];

let installed: string[] | null = null;

/** Register the fixes on the wasm backend; returns their names. Idempotent. */
export function installWasmKernelFixes(): string[] {
  if (installed) return installed;
  if (tf.findBackend('wasm') == null) throw new Error('installWasmKernelFixes: the wasm backend is not initialised');
  for (const fix of fixes) {
    for (const [kernel, func] of Object.entries(fix.kernels)) replaceWasmKernel(kernel, func);
  }
  installed = fixes.map((f) => f.name);
  return installed;
}

/** Put the stock kernels back (for A/B comparisons in tests and benchmarks). */
export function uninstallWasmKernelFixes(): void {
  if (!installed) return;
  for (const fix of fixes) {
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
