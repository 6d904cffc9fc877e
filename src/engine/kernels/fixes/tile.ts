/**
 * Tile for wasm as heap-to-heap copies of contiguous runs. The stock kernel computes every element's source on
 * its own: tiling the causal mask for grouped-query heads took a quarter of a SmolLM2-shaped prefill
 * (bench/RESULTS.md). Short last axes and string tensors go to the stock kernel.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackendInternals, sizeOf, stockKernel } from '../wasm-internals.js';

/** Below this many elements per run, per-run bookkeeping costs more than the stock kernel's element loop. */
const MIN_RUN = 4;

function bytesPer(dtype: string): number {
  return dtype === 'bool' ? 1 : 4;
}

function offsetOf(backend: WasmBackendInternals, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Runs up to this many elements are copied by a loop: a copyWithin call costs more than that. */
const LOOP_RUN = 128;

/**
 * Copies `run` elements for each index of `lead` (the output's leading dims, row-major), from the source element
 * that `srcStride` gives per leading dim (the index taken modulo `srcMod`), `repeat` times side by side.
 */
function copyRuns(backend: WasmBackendInternals, src: TensorInfo, out: TensorInfo, lead: number[], srcStride: number[], srcMod: number[], run: number, repeat: number): void {
  const wide = bytesPer(src.dtype) === 4;
  // Int32 views copy float bits unchanged (a float view could canonicalise NaN payloads).
  const heap = wide ? new Int32Array(backend.wasm.HEAPU8.buffer) : backend.wasm.HEAPU8;
  const scale = wide ? 4 : 1;
  const srcBase = offsetOf(backend, src) / scale;
  let dst = offsetOf(backend, out) / scale;
  const rank = lead.length;
  const index = new Array<number>(rank).fill(0);
  const at = new Array<number>(rank).fill(0);
  const rows = sizeOf(lead);
  for (let r = 0; r < rows; r++) {
    let from = srcBase;
    for (let i = 0; i < rank; i++) from += at[i] * srcStride[i];
    for (let k = 0; k < repeat; k++) {
      if (run <= LOOP_RUN) {
        for (let j = 0; j < run; j++) heap[dst + j] = heap[from + j];
      } else {
        heap.copyWithin(dst, from, from + run);
      }
      dst += run;
    }
    for (let i = rank - 1; i >= 0; i--) {
      index[i]++;
      if (++at[i] === srcMod[i]) at[i] = 0;
      if (index[i] < lead[i]) break;
      index[i] = 0;
      at[i] = 0;
    }
  }
}

function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

export function tileKernel(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const reps = (attrs?.reps as number[]) ?? [];
  const rank = x.shape.length;
  const run = x.shape[rank - 1];
  if (x.dtype === 'string' || rank < 1 || reps.length !== rank || run < MIN_RUN) return stockKernel('Tile')(args) as TensorInfo;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const strides = stridesOf(x.shape).slice(0, -1);
  copyRuns(backend, x, out, outShape.slice(0, -1), strides, x.shape.slice(0, -1), run, reps[rank - 1]);
  return out;
}
