// What a fine-tune (or inference) of a pretrained-size model needs in memory, with --freeze taken into account:
// the wasm backend's heap is 32-bit (4 GB at most), and running out of it half way aborts the whole process.
// Estimates, deliberately on the high side. Runs from scratch use runtime/memory.ts's estimate, fitted to
// measured heaps of Inkling's own presets; one model of memory for both is still to do.
import type { ModelConfig, TrainConfig } from '../types.js';
import { WASM_HEAP_BYTES } from '../runtime/memory.js';

export { WASM_HEAP_BYTES };

export interface MemoryEstimate {
  weights: number;
  /** Gradients, AdamW's two slots and the best-weights copy kept for the save, for the trainable weights. */
  training: number;
  activations: number;
  total: number;
}

/** Floats kept per token per layer for the backward pass of a pre-LayerNorm transformer block (the matrices'
 * inputs and outputs, LayerNorm and GELU intermediates: about 34 x d), plus attention's scores and
 * probabilities (3 x heads x T). Recurrent layers keep about 12 x hidden. */
function activationFloats(config: ModelConfig, seqLength: number): number {
  const c = config as unknown as Record<string, number>;
  const perLayer = 'heads' in c ? 34 * c.embedding! + 3 * c.heads! * seqLength : 12 * (c.hidden ?? c.embedding!);
  return perLayer * c.layers! + 4 * c.embedding!;
}

export function estimateTraining(config: ModelConfig, params: number, trainableParams: number, train: Pick<TrainConfig, 'batchSize' | 'seqLength'>): MemoryEstimate {
  const tokens = train.batchSize * train.seqLength;
  const weights = 4 * params;
  // gradients + m + v + the best-validation snapshot
  const training = 4 * 4 * trainableParams;
  // logits, their softmax and their gradient: [tokens, vocab] each
  const activations = 4 * tokens * (activationFloats(config, train.seqLength) + 3 * config.vocabSize);
  return { weights, training, activations, total: weights + training + activations };
}

/** Inference: the weights, a KV cache over the whole window and a prompt's activations. */
export function estimateInference(config: ModelConfig, params: number): number {
  const c = config as unknown as Record<string, number>;
  const ctx = c.contextLength ?? 1024;
  return 4 * params + 4 * 2 * c.layers! * ctx * c.embedding! + 4 * ctx * (activationFloats(config, ctx) / c.layers! + config.vocabSize);
}

export function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** Other ways to run that a refusal can suggest: `--freeze n` (trainable parameters at n) and `--lora 8`. */
export interface FitAlternatives {
  trainableAt?: (freeze: number) => number;
  /** Trainable parameters with `--lora 8`, for a family that takes adapters. */
  loraTrainable?: number;
}

/** null when the run fits the wasm heap; else one line with what it needs and what would fit. */
export function wasmFitRefusal(
  what: string,
  config: ModelConfig,
  params: number,
  trainable: number,
  train: Pick<TrainConfig, 'batchSize' | 'seqLength'>,
  alternatives: FitAlternatives = {},
): string | null {
  const need = estimateTraining(config, params, trainable, train);
  if (need.total <= WASM_HEAP_BYTES) return null;
  const fits = (n: number, batch = train) => estimateTraining(config, params, n, batch).total <= WASM_HEAP_BYTES;
  const layers = (config as unknown as { layers: number }).layers;
  const options: string[] = [];
  const { trainableAt, loraTrainable } = alternatives;
  const freeze = trainableAt ? Array.from({ length: layers + 1 }, (_, n) => n).find((n) => fits(trainableAt(n))) : undefined;
  if (freeze !== undefined) options.push(`--freeze ${freeze}`);
  if (loraTrainable !== undefined && fits(loraTrainable)) options.push('--lora 8');
  const batch = [train.batchSize >> 1, 1].find((b) => b >= 1 && b < train.batchSize && fits(trainable, { ...train, batchSize: b }));
  if (batch !== undefined) options.push(`batch ${batch}`);
  options.push('a backend without the 4 GB limit (--backend tensorflow, with @tensorflow/tfjs-node installed)');
  return (
    `${what} needs about ${gb(need.total)} (weights ${gb(need.weights)}, gradients and AdamW ${gb(need.training)}, ` +
    `activations ${gb(need.activations)} at batch ${train.batchSize} x ${train.seqLength}) but the wasm heap holds 4 GB: try ${options.join(', or ')}`
  );
}
