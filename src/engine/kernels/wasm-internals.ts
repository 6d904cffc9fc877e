/**
 * The few internals of tfjs-backend-wasm 4.22 our kernels rely on, typed in one place, plus helpers to call the
 * stock kernels and to swap a kernel registration. Kernels here work on the wasm heap directly: no sync reads.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

export type WasmTensorData = { id: number; memoryOffset: number; shape: number[]; dtype: DataType; refCount: number };

export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): WasmTensorData; delete(dataId: object): boolean };
  /** With memoryOffset, registers a tensor on existing heap memory instead of allocating. */
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WasmBackendInternals; attrs?: NamedAttrMap };
export type WasmKernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** The stock wasm kernels, captured before we replace any, so replacements can delegate to them. */
const stockKernels = new Map<string, WasmKernelFunc>();

export function stockKernel(name: string): WasmKernelFunc {
  let func = stockKernels.get(name);
  if (!func) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`wasm backend has no ${name} kernel`);
    func = config.kernelFunc as unknown as WasmKernelFunc;
    stockKernels.set(name, func);
  }
  return func;
}

/** Replace (or add) the wasm kernel `name`, keeping the stock one reachable through stockKernel(name). */
export function replaceWasmKernel(name: string, kernelFunc: WasmKernelFunc): void {
  if (tf.getKernel(name, 'wasm')) {
    stockKernel(name);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc } as KernelConfig);
}

/** Call a stock kernel that returns a single tensor. */
export function runStock(name: string, backend: WasmBackendInternals, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  return stockKernel(name)({ inputs, backend, attrs }) as TensorInfo;
}

/** A view of the same data under another shape; it shares the dataId, so only the owner disposes it. */
export function reshaped(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
