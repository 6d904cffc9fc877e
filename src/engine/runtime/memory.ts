// Will a training run fit the wasm heap? The wasm backend's memory is one WebAssembly.Memory of at most 4 GiB;
// past it, the backend aborts the whole process ("Aborted()") and nothing is saved. So a run is estimated
// before it starts, and refused in one line that says what would fit.
//
// The figures were fitted to the heap sizes of real gpt runs on wasm (6-12 layers, embedding 384, context 128,
// batch 2-8: 500 MB-1.6 GB, each within 10% of this estimate, the estimate above): per parameter, the weights,
// gradients, AdamW's two moments, the best-weights copy and the kernels' scratch; per token of the batch,
// what the architecture keeps for the backward pass (architectures.ts), plus the logits and their gradient.
import { activationBytesPerToken, countParameters } from '../models/index.js';
import type { ModelConfig } from '../types.js';

/** The wasm32 address space. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** What a run may plan to use of it: the heap also holds the backend's own state, and grows in steps. */
export const TRAINING_BUDGET_BYTES = 3.6e9;
const BYTES_PER_PARAMETER = 36;
const BASE_BYTES = 32e6;

export interface MemoryEstimate {
  params: number;
  /** Weights, gradients, optimizer state and copies: independent of the batch. */
  modelBytes: number;
  /** Activations of one step, per sequence of the batch. */
  perSequenceBytes: number;
  totalBytes: number;
}

export function estimateTrainingMemory(config: ModelConfig, batchSize: number, seqLength: number): MemoryEstimate {
  const params = countParameters(config);
  const perToken = (activationBytesPerToken(config, seqLength) ?? 0) /* a family without the hook: logits only */ + 3 * config.vocabSize * 4;
  const modelBytes = BASE_BYTES + BYTES_PER_PARAMETER * params;
  const perSequenceBytes = perToken * seqLength;
  return { params, modelBytes, perSequenceBytes, totalBytes: modelBytes + batchSize * perSequenceBytes };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
const millions = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;

/**
 * Throws a one-line Error when a training run of `config` at this batch and context would not fit the wasm heap,
 * saying what fits: a smaller --batch, or (when the model alone is too big) about how many parameters.
 */
export function checkTrainingFits(config: ModelConfig, batchSize: number, seqLength: number, budget = TRAINING_BUDGET_BYTES): MemoryEstimate {
  const estimate = estimateTrainingMemory(config, batchSize, seqLength);
  if (estimate.totalBytes <= budget) return estimate;
  const need = `this run needs about ${gb(estimate.totalBytes)} but the wasm backend has ${gb(budget)} to train in`;
  const parts = `(${millions(estimate.params)} parameters: ${gb(estimate.modelBytes)} for weights, gradients and optimizer state; ${gb(batchSize * estimate.perSequenceBytes)} for activations at batch ${batchSize} x context ${seqLength})`;
  const batch = Math.floor((budget - estimate.modelBytes) / estimate.perSequenceBytes);
  if (batch >= 1) throw new Error(`${need} ${parts}: --batch ${batch} fits`);
  const fitBatch = budget - BASE_BYTES - batchSize * estimate.perSequenceBytes > 0 ? batchSize : 1;
  const maxParams = Math.max(0, (budget - BASE_BYTES - fitBatch * estimate.perSequenceBytes) / BYTES_PER_PARAMETER);
  throw new Error(`${need} ${parts}: at batch ${fitBatch} about ${millions(maxParams)} parameters fit; use fewer --layers, a smaller --embedding or --vocab`);
}
