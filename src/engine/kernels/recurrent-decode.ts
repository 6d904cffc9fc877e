/**
 * Fused inference kernels for decoding recurrent models (LSTM/GRU) one token at a time on wasm.
 * Registered with the other inference kernels by index.ts; the models call them by name when the backend has them.
 */
import type { WasmKernelFunc } from './wasm-internals.js';

export const RECURRENT_DECODE_KERNELS: Record<string, WasmKernelFunc> = {};
