// The one pass over the whole vocabulary that /probs adds per token (engine/probs.ts): Σ e and Σ e d with
// d = logit - max and e = exp(d), which give log Z and the entropy. In WebAssembly SIMD (kernels/simd/probs.wat)
// on its own memory, so on every backend; in JS where the runtime lacks WebAssembly SIMD.
import { PROBS_WASM } from './kernels/simd/probs-wasm.js';

interface ProbsExports {
  memory: WebAssembly.Memory;
  exp_sums(n: number, max: number, scale: number): number;
}

let instance: ProbsExports | null | undefined;
/** Views of the module's memory, remade when it grows (growing replaces the buffer). */
let floats = new Float32Array(0);
let doubles = new Float64Array(0);

function probsWasm(): ProbsExports | null {
  if (instance === undefined) {
    try {
      const module = new WebAssembly.Module(Uint8Array.from(atob(PROBS_WASM), (c) => c.charCodeAt(0)));
      instance = new WebAssembly.Instance(module).exports as unknown as ProbsExports;
    } catch {
      instance = null;
    }
  }
  return instance;
}

export interface ExpSums {
  sum: number;
  weighted: number;
}

/**
 * Σ e and Σ e d with d = (value - max) scale over `values`, for `max` their largest finite value (scale 1 / T gives
 * the sampler's weights at temperature T); -Infinity entries add nothing.
 */
export function expSums(values: Float32Array, max: number, scale = 1, useWasm = true): ExpSums {
  const wasm = useWasm ? probsWasm() : null;
  if (wasm) {
    const n = (values.length + 3) & ~3;
    // n floats, then the float64 the module stores after them.
    const missing = n * 4 + 8 - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / 65536));
    if (floats.buffer !== wasm.memory.buffer) {
      floats = new Float32Array(wasm.memory.buffer);
      doubles = new Float64Array(wasm.memory.buffer);
    }
    floats.set(values);
    floats.fill(-Infinity, values.length, n);
    const sum = wasm.exp_sums(n, max, scale);
    return { sum, weighted: doubles[n / 2] };
  }
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] - max) * scale;
    const e = Math.exp(d);
    if (e > 0) {
      sum += e;
      weighted += e * d;
    }
  }
  return { sum, weighted };
}
