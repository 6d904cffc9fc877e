// The one pass over the whole vocabulary that /probs adds per token (engine/probs.ts): Σ e and Σ e d with
// d = logit - max and e = exp(d), which give log Z and the entropy, and the top candidates. In WebAssembly SIMD
// (kernels/simd/probs.wat) on its own memory, so on every backend and with no per-token loop over the vocabulary in
// JS; in JS where the runtime lacks WebAssembly SIMD.
import { PROBS_WASM } from './kernels/simd/probs-wasm.js';

interface ProbsExports {
  memory: WebAssembly.Memory;
  exp_sums(n: number, max: number, scale: number): number;
  top_k(n: number, k: number, out: number): number;
}

let instance: ProbsExports | null | undefined;
/** Views of the module's memory, remade when it grows (growing replaces the buffer). */
let floats = new Float32Array(0);
let ints = new Int32Array(0);
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

/**
 * Copies `values` into the module's memory, padded to a multiple of 8 with -Infinity, with room after them for
 * the float64 exp_sums stores and `k` top candidates; returns the padded length.
 */
function load(wasm: ProbsExports, values: Float32Array, k: number): number {
  const n = (values.length + 7) & ~7;
  const missing = n * 4 + 8 + 8 * k - wasm.memory.buffer.byteLength;
  if (missing > 0) wasm.memory.grow(Math.ceil(missing / 65536));
  if (floats.buffer !== wasm.memory.buffer) {
    floats = new Float32Array(wasm.memory.buffer);
    ints = new Int32Array(wasm.memory.buffer);
    doubles = new Float64Array(wasm.memory.buffer);
  }
  floats.set(values);
  floats.fill(-Infinity, values.length, n);
  return n;
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
  if (!wasm) return expSumsJs(values, max, scale);
  const n = load(wasm, values, 0);
  const sum = wasm.exp_sums(n, max, scale);
  return { sum, weighted: doubles[n / 2] };
}

/**
 * Offers the k largest finite values to `top` (a TopK of k, empty), then returns expSums at scale 1 about the
 * largest of them, from one copy of the logits.
 */
export function vocabPass(values: Float32Array, top: TopK, useWasm = true): ExpSums {
  const wasm = useWasm ? probsWasm() : null;
  if (!wasm) {
    offerInOrder(top, values);
    return expSumsJs(values, top.logits[0], 1);
  }
  const n = load(wasm, values, top.k);
  const out = n * 4 + 8;
  const count = wasm.top_k(n, top.k, out);
  for (let i = 0; i < count; i++) top.offer(ints[out / 4 + top.k + i], floats[out / 4 + i]);
  const sum = wasm.exp_sums(n, top.logits[0], 1);
  return { sum, weighted: doubles[n / 2] };
}

function expSumsJs(values: Float32Array, max: number, scale: number): ExpSums {
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

/** Offers every value, ids in order: a value equal to the k-th best never displaces it, so skip all but greater ones. */
function offerInOrder(top: TopK, values: Float32Array): void {
  let floor = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > floor) {
      top.offer(i, values[i]);
      floor = top.floor;
    }
  }
}

/** The k best offered (id, logit) pairs by logit, ties to the lower id, kept sorted by insertion. */
export class TopK {
  // Plain arrays: made per token, and k is small.
  readonly ids: number[];
  readonly logits: number[];
  filled = 0;
  /** The k-th best logit once k are in, before that -Infinity. */
  floor = -Infinity;

  constructor(readonly k: number) {
    this.ids = new Array<number>(k).fill(-1);
    this.logits = new Array<number>(k).fill(-Infinity);
  }

  offer(id: number, v: number): void {
    const { ids, logits, k } = this;
    if (this.filled === k && !(v > logits[k - 1] || (v === logits[k - 1] && id < ids[k - 1]))) return;
    let at = Math.min(this.filled, k - 1);
    while (at > 0 && (v > logits[at - 1] || (v === logits[at - 1] && id < ids[at - 1]))) {
      logits[at] = logits[at - 1];
      ids[at] = ids[at - 1];
      at--;
    }
    logits[at] = v;
    ids[at] = id;
    if (this.filled < k) this.filled++;
    if (this.filled === k) this.floor = logits[k - 1];
  }
}
