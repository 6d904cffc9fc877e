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

/**
 * Floats kept per token for the backward pass. Per transformer block about 54 x d (the matrices' inputs and
 * outputs, norm and activation intermediates, the gradients in flight) plus attention's 4 x heads x T; fitted to
 * the wasm heap's measured high-water marks (bench/RESULTS.md, 2026-12-06: GPT-2-124M fully at 2 x 128 and with
 * LoRA at 4 x 128, SmolLM2-135M with LoRA at 2 x 128). Recurrent layers keep about 12 x hidden.
 */
function activationFloats(config: ModelConfig, seqLength: number): number {
  const c = config as unknown as Record<string, number>;
  const perLayer = 'heads' in c ? 54 * c.embedding! + 4 * c.heads! * seqLength : 12 * (c.hidden ?? c.embedding!);
  return perLayer * c.layers! + 4 * c.embedding!;
}

/** Slack over the sum of the parts: the heap is not compacted, and the embedding's gradients come twice (tied head). */
const SLACK = 1.1;

/**
 * `loraFloatsPerToken`: what adapters add per token (each adapted projection's dropped input, delta and sum;
 * loraActivationFloats gives it).
 */
export function estimateTraining(
  config: ModelConfig,
  params: number,
  trainableParams: number,
  train: Pick<TrainConfig, 'batchSize' | 'seqLength'>,
  loraFloatsPerToken = 0,
): MemoryEstimate {
  const tokens = train.batchSize * train.seqLength;
  const weights = 4 * params;
  // gradients, m, v, the best-validation snapshot and the new weights AdamW writes before they replace the old
  const training = 5 * 4 * trainableParams;
  // logits, their softmax, its gradient and the loss's copies: [tokens, vocab] each
  const activations = 4 * tokens * (activationFloats(config, train.seqLength) + loraFloatsPerToken + 5 * config.vocabSize);
  return { weights, training, activations, total: SLACK * (weights + training + activations) };
}

/** Floats per token that LoRA adapters on these projections keep for the backward pass. */
export function loraActivationFloats(targets: readonly { inDim: number; outDim: number }[]): number {
  return targets.reduce((n, t) => n + t.inDim + 2 * t.outDim, 0);
}

/** Inference: the weights, a KV cache over the whole window and a prompt's activations. */
export function estimateInference(config: ModelConfig, params: number): number {
  const c = config as unknown as Record<string, number>;
  const ctx = c.contextLength ?? 1024;
  // One layer's activations at a time (nothing is kept for a backward pass).
  const layer = 'heads' in c ? 34 * c.embedding! + 3 * c.heads! * ctx : 12 * (c.hidden ?? c.embedding!);
  return 4 * params + 4 * 2 * c.layers! * ctx * c.embedding! + 4 * ctx * (layer + config.vocabSize);
}

export function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** Other ways to run that a refusal can suggest: `--freeze n`, `--lora 8` and a smaller `--batch`. */
export interface FitAlternatives {
  /** Trainable parameters with `--freeze n`. */
  trainableAt?: (freeze: number) => number;
  /** `--lora 8` on a family that takes adapters: its trainable parameters and activation floats per token. */
  lora8?: { trainable: number; floatsPerToken: number };
}

/** null when the run fits the wasm heap; else one line with what it needs and what would fit. */
export function wasmFitRefusal(
  what: string,
  config: ModelConfig,
  params: number,
  trainable: number,
  train: Pick<TrainConfig, 'batchSize' | 'seqLength'>,
  alternatives: FitAlternatives = {},
  loraFloatsPerToken = 0,
): string | null {
  const need = estimateTraining(config, params, trainable, train, loraFloatsPerToken);
  if (need.total <= WASM_HEAP_BYTES) return null;
  const fits = (n: number, batch = train, extra = loraFloatsPerToken) => estimateTraining(config, params, n, batch, extra).total <= WASM_HEAP_BYTES;
  const layers = (config as unknown as { layers: number }).layers;
  const options: string[] = [];
  const { trainableAt, lora8 } = alternatives;
  const batch = [train.batchSize >> 1, train.batchSize >> 2, 1].find((b) => b >= 1 && b < train.batchSize && fits(trainable, { ...train, batchSize: b }));
  if (batch !== undefined) options.push(`--batch ${batch}`);
  const freeze = trainableAt ? Array.from({ length: layers + 1 }, (_, n) => n).find((n) => fits(trainableAt(n))) : undefined;
  if (freeze !== undefined) options.push(`--freeze ${freeze}`);
  if (lora8 && fits(lora8.trainable, train, lora8.floatsPerToken)) options.push('--lora 8');
  options.push('a backend without the 4 GB limit (--backend tensorflow, with @tensorflow/tfjs-node installed)');
  return (
    `${what} needs about ${gb(need.total)} (weights ${gb(need.weights)}, gradients and AdamW ${gb(need.training)}, ` +
    `activations ${gb(need.activations)} at batch ${train.batchSize} x ${train.seqLength}) but the wasm heap holds 4 GB: try ${options.join(', or ')}`
  );
}
