// Free-running greedy continuation, the seed tutorial's check measured as it is described: prompt with
// the first half of a held-out window, let the model continue on its own (each guess feeds the next),
// and count the positions where its tokens equal the original text. Unlike next-token accuracy, one
// early miss can derail the rest, so the figure is lower and varies a lot between passages: passages
// are added in evenly spread rounds until the standard error over passages is under `targetError`.
import { evenOffsets } from '../data/dataset.js';
import { argmax } from '../sample.js';
import type { LanguageModel, Tokenizer } from '../types.js';

export interface ContinuationSample {
  prompt: string;
  expected: string;
  generated: string;
}

export interface ContinuationFigures {
  /** Mean over passages of the share of continuation tokens equal to the original's. */
  accuracy: number;
  /** Standard error of that mean over passages. */
  standardError: number;
  passages: number;
  /** Tokens generated and compared, over all passages. */
  tokens: number;
  samples: ContinuationSample[];
}

export interface ContinuationOptions {
  targetError?: number;
  minPassages?: number;
  maxPassages?: number;
  /** Candidate passages are split into this many interleaved rounds, each spread over the whole split. */
  rounds?: number;
}

export async function continuationAccuracy(
  model: LanguageModel,
  tokenizer: Tokenizer,
  tokens: Int32Array,
  seqLength: number,
  { targetError = 0.01, minPassages = 100, maxPassages = 1600, rounds = 16 }: ContinuationOptions = {},
): Promise<ContinuationFigures> {
  const promptLength = Math.max(1, Math.floor(seqLength / 2));
  const length = seqLength - promptLength;
  // No more candidates than non-overlapping windows, so a short split is not scored on copies of itself.
  const candidates = evenOffsets(tokens, seqLength, Math.max(1, Math.min(maxPassages, Math.floor((tokens.length - 1) / seqLength))));
  const scores: number[] = [];
  const samples: ContinuationSample[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = round; i < candidates.length; i += rounds) {
      const window = Array.from(tokens.subarray(candidates[i]!, candidates[i]! + seqLength));
      const prompt = window.slice(0, promptLength);
      const expected = window.slice(promptLength);
      const generated = await greedy(model, prompt, length);
      scores.push(generated.filter((id, t) => id === expected[t]).length / length);
      if (samples.length < 3) {
        const promptText = tokenizer.decode(prompt);
        samples.push({
          prompt: promptText,
          expected: tokenizer.decode(window).slice(promptText.length),
          generated: tokenizer.decode(prompt.concat(generated)).slice(promptText.length),
        });
      }
    }
    if (scores.length >= minPassages && standardError(scores) < targetError) break;
  }
  return { accuracy: mean(scores), standardError: standardError(scores), passages: scores.length, tokens: scores.length * length, samples };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation over sqrt(n). */
export function standardError(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(variance / xs.length);
}

async function greedy(model: LanguageModel, promptIds: number[], count: number): Promise<number[]> {
  const state = model.createState();
  const out: number[] = [];
  try {
    let next = promptIds;
    for (let i = 0; i < count; i++) {
      const logits = model.feed(state, next);
      const id = argmax((await logits.data()) as Float32Array);
      logits.dispose();
      out.push(id);
      next = [id];
    }
  } finally {
    state.dispose();
  }
  return out;
}
