// STUB: signatures fixed; implementation in progress.
import type { EvalFigures } from './types.js';
import type { LoadedModel } from './checkpoint.js';

export interface ContinuationSample {
  prompt: string;
  expected: string;
  generated: string;
}

export interface EvalReport extends EvalFigures {
  corpus: string;
  tokens: number;
  /** Greedy next-token accuracy over held-out continuations. */
  continuationAccuracy: number;
  samples: ContinuationSample[];
}

/** Held-out loss / perplexity / bits per char, and the continuation check, on `corpus` (default: the model's own). */
export async function evaluateModel(loaded: LoadedModel, options: { corpus?: string; maxTokens?: number } = {}): Promise<EvalReport> {
  throw new Error(`not implemented: evaluateModel ${loaded.name} ${JSON.stringify(options)}`);
}
