// Streaming generation: feed the prompt once, then one token at a time through the model's
// incremental state (KV cache or recurrent state), picking each token on the host.
import seedrandom from 'seedrandom';
import type { GenerationResult, SampleOptions, Tokenizer } from './types.js';
import type { LoadedModel } from './checkpoint.js';

export type Random = () => number;

export function makeRandom(seed?: number): Random {
  return seedrandom(seed === undefined ? String(Math.random()) : `inkling:${seed}`);
}

/**
 * Pick the next token id from logits with temperature, top-k and top-p (nucleus) filtering.
 * Temperature 0 (or top-k 1) is greedy and consumes no randomness.
 */
export function pickToken(logits: Float32Array, options: SampleOptions, random: Random): number {
  if (options.temperature <= 0 || options.topK === 1) return argmax(logits);
  let candidates = Array.from(logits.keys());
  candidates.sort((a, b) => logits[b] - logits[a] || a - b);
  if (options.topK > 0) candidates = candidates.slice(0, options.topK);
  const max = logits[candidates[0]];
  const weights = candidates.map((id) => Math.exp((logits[id] - max) / options.temperature));
  let total = weights.reduce((a, b) => a + b, 0);
  if (options.topP > 0 && options.topP < 1) {
    let kept = 0;
    let mass = 0;
    while (kept < weights.length && mass < options.topP * total) mass += weights[kept++];
    candidates = candidates.slice(0, Math.max(1, kept));
    weights.length = candidates.length;
    total = mass;
  }
  let r = random() * total;
  for (let i = 0; i < candidates.length; i++) {
    r -= weights[i];
    if (r <= 0) return candidates[i];
  }
  return candidates[candidates.length - 1];
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Token ids for a prompt; an empty prompt starts from a newline (or id 0) so there is always context. */
export function encodePrompt(tokenizer: Tokenizer, prompt: string): { ids: number[]; unknown: number } {
  const { ids, unknown } = tokenizer.encode(prompt);
  if (ids.length > 0) return { ids, unknown };
  const newline = tokenizer.encode('\n').ids;
  return { ids: newline.length > 0 ? newline : [0], unknown };
}

/** Yield to the event loop so a UI on the same thread can render between tokens. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Stream a continuation of `prompt`; onText gets each new piece of text as it is decoded. */
export async function generate(
  loaded: LoadedModel,
  prompt: string,
  options: SampleOptions,
  onText: (delta: string) => void,
  signal?: AbortSignal,
): Promise<GenerationResult> {
  const { model, tokenizer } = loaded;
  const random = makeRandom(options.seed);
  const { ids: promptIds, unknown } = encodePrompt(tokenizer, prompt);
  const promptText = tokenizer.decode(promptIds);
  const generated: number[] = [];
  const stops = (options.stop ?? []).filter((s) => s.length > 0);
  let text = '';
  let emitted = 0;
  let stoppedBy: GenerationResult['stoppedBy'] = 'max-tokens';
  let msToFirstToken = 0;
  const started = performance.now();
  const state = model.createState();
  let logits: { data(): Promise<unknown>; dispose(): void } | null = null;
  try {
    logits = model.feed(state, promptIds);
    while (generated.length < options.maxTokens) {
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      logits = null;
      if (signal?.aborted) {
        stoppedBy = 'abort';
        break;
      }
      const id = pickToken(values, options, random);
      generated.push(id);
      if (generated.length === 1) msToFirstToken = performance.now() - started;
      const full = tokenizer.decode(promptIds.concat(generated)).slice(promptText.length);
      const stopAt = firstStop(full, stops);
      text = stopAt === -1 ? full : full.slice(0, stopAt);
      // Hold back a tail that may be the start of a stop string, so a stop string never shows.
      const safe = stopAt === -1 ? text.length - heldBackLength(text, stops) : text.length;
      if (safe > emitted) {
        onText(text.slice(emitted, safe));
        emitted = safe;
      }
      if (stopAt !== -1) {
        stoppedBy = 'stop';
        break;
      }
      if (generated.length >= options.maxTokens) break;
      logits = model.feed(state, [id]);
      await yieldToEventLoop();
    }
  } finally {
    logits?.dispose();
    state.dispose();
  }
  if (text.length > emitted) onText(text.slice(emitted));
  const seconds = (performance.now() - started) / 1000;
  return {
    text,
    tokens: generated.length,
    tokensPerSec: seconds > 0 ? generated.length / seconds : 0,
    msToFirstToken,
    stoppedBy,
    unknownPromptPieces: unknown,
  };
}

/** Length of the longest end of `text` that is a proper start of some stop string. */
function heldBackLength(text: string, stops: string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

function firstStop(text: string, stops: string[]): number {
  let first = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}
