// Streaming generation: feed the prompt once, then one token at a time through the model's
// incremental state (KV cache or recurrent state), picking each token on the host.
import seedrandom from 'seedrandom';
import type { GenerationResult, SampleOptions, Tokenizer } from './types.js';
import type { LoadedModel } from './store/checkpoint.js';

export type Random = () => number;

export function makeRandom(seed?: number): Random {
  return seedrandom(seed === undefined ? String(Math.random()) : `inkling:${seed}`);
}

/**
 * Pick the next token id from logits with temperature, top-k and top-p (nucleus) filtering.
 * Temperature 0 (or top-k 1) is greedy and consumes no randomness.
 * The candidates are ranked by logit (ties by id) and a draw walks that ranking, as a full sort would, but
 * selection does it in expected O(vocab): sorting a 10k vocabulary per token cost ~12 ms.
 */
export function pickToken(logits: Float32Array, options: SampleOptions, random: Random): number {
  if (options.temperature <= 0 || options.topK === 1) return argmax(logits);
  const max = logits[argmax(logits)];
  const ids = new Int32Array(logits.length);
  const weights = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    ids[i] = i; // not Int32Array.from(keys()): the iterator costs more than all the rest
    weights[i] = Math.exp((logits[i] - max) / options.temperature);
  }
  const ranked = new Ranking(logits, weights, ids);
  let count = ids.length;
  if (options.topK > 0 && options.topK < count) {
    ranked.partitionTop(options.topK);
    count = options.topK;
  }
  let total = ranked.mass(0, count);
  if (options.topP > 0 && options.topP < 1) {
    count = ranked.prefixReaching(options.topP * total, count) + 1;
    total = ranked.mass(0, count);
  }
  return ids[ranked.prefixReaching(random() * total, count)];
}

/**
 * Ids ordered lazily by (logit desc, id asc) through in-place quickselect partitions: position i holds the i-th
 * ranked id once a query has pinned it, and every id before it ranks before it.
 */
class Ranking {
  constructor(
    private readonly logits: Float32Array,
    private readonly weights: Float64Array,
    private readonly ids: Int32Array,
  ) {}

  private before(a: number, b: number): boolean {
    const la = this.logits[a];
    const lb = this.logits[b];
    return la > lb || (la === lb && a < b);
  }

  /** Partition ids[lo, hi) around its middle element; returns the pivot's final position. */
  private partition(lo: number, hi: number): number {
    const ids = this.ids;
    const mid = (lo + hi) >>> 1;
    const pivot = ids[mid];
    ids[mid] = ids[hi - 1];
    ids[hi - 1] = pivot;
    let store = lo;
    for (let i = lo; i < hi - 1; i++) {
      if (this.before(ids[i], pivot)) {
        const t = ids[i];
        ids[i] = ids[store];
        ids[store++] = t;
      }
    }
    ids[hi - 1] = ids[store];
    ids[store] = pivot;
    return store;
  }

  /** Puts the k top-ranked ids in positions [0, k). */
  partitionTop(k: number): void {
    let lo = 0;
    let hi = this.ids.length;
    while (hi - lo > 1) {
      const p = this.partition(lo, hi);
      if (p === k || p === k - 1) return;
      if (p > k) hi = p;
      else lo = p + 1;
    }
  }

  mass(from: number, to: number): number {
    let sum = 0;
    for (let i = from; i < to; i++) sum += this.weights[this.ids[i]];
    return sum;
  }

  /**
   * Position of the first ranked id among positions [0, count) at which the running mass reaches `target`
   * (the last one if it never does); all positions before it then hold the ids ranked before it.
   */
  prefixReaching(target: number, count: number): number {
    let lo = 0;
    let hi = count;
    let left = target;
    for (;;) {
      if (hi - lo === 1) return lo;
      const p = this.partition(lo, hi);
      const below = this.mass(lo, p);
      if (below >= left && p > lo) {
        hi = p;
      } else {
        left -= below + this.weights[this.ids[p]];
        if (left <= 0 || p === hi - 1) return p;
        lo = p + 1;
      }
    }
  }
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Most prompt tokens fed: a recurrent model runs every token in turn (a pasted 100 KB prompt took minutes
 * and blocked the chat), and a transformer only sees its window anyway. The tail of a longer prompt is kept.
 */
export const MAX_PROMPT_TOKENS = 1024;

/** The prompt's tail that is fed, and how many tokens were left out before it. */
export function promptTail(ids: number[], contextLength: number | null): { ids: number[]; dropped: number } {
  const limit = Math.max(MAX_PROMPT_TOKENS, contextLength ?? 0);
  return ids.length <= limit ? { ids, dropped: 0 } : { ids: ids.slice(-limit), dropped: ids.length - limit };
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

/** Longest run of tokens without a yield: a turn of the event loop costs as much as a small model's token. */
const MS_BETWEEN_YIELDS = 4;

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
  const encoded = encodePrompt(tokenizer, prompt);
  const { unknown } = encoded;
  const { ids: promptIds, dropped } = promptTail(encoded.ids, model.contextLength);
  // Streamed decoding: primed with the prompt, so the spacing of the first new word follows it.
  const decodeNext = tokenizer.decoder();
  for (const id of promptIds) decodeNext(id);
  let full = '';
  const generated: number[] = [];
  const stops = (options.stop ?? []).filter((s) => s.length > 0);
  let text = '';
  let emitted = 0;
  let stoppedBy: GenerationResult['stoppedBy'] = 'max-tokens';
  let msToFirstToken = 0;
  const started = performance.now();
  let lastYield = started;
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
      // Never write <unk>: it stands for "some rare word", which reads as noise in a reply.
      if (tokenizer.unkId !== null) values[tokenizer.unkId] = -Infinity;
      const id = pickToken(values, options, random);
      generated.push(id);
      if (generated.length === 1) msToFirstToken = performance.now() - started;
      full += decodeNext(id);
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
      if (performance.now() - lastYield >= MS_BETWEEN_YIELDS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
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
    ...(dropped > 0 ? { droppedPromptTokens: dropped } : {}),
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
