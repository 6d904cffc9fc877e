/**
 * Fused inference kernels for decoding a transformer one position at a time on wasm.
 * Registered with the other inference kernels by index.ts; the models call them by name when the backend has them.
 */
import type { WasmKernelFunc } from './wasm-internals.js';

export const ATTENTION_DECODE_KERNELS: Record<string, WasmKernelFunc> = {};
