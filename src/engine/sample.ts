// Streaming generation: feed the prompt once, then one token at a time through the model's
// incremental state (KV cache or recurrent state), picking each token on the host.
import seedrandom from 'seedrandom';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import type { GenerationResult, ProbsRequest, SampleOptions, TokenProbs, Tokenizer } from './types.js';
import { NextToken } from './probs.js';
import { Ranking } from './ranking.js';
import type { LoadedModel } from './store/checkpoint.js';

export type Random = () => number;

export function makeRandom(seed?: number): Random {
  return seedrandom(seed === undefined ? String(Math.random()) : `inkling:${seed}`);
}

/**
 * Pick the next token id from logits with temperature, top-k and top-p (nucleus) filtering.
 * Temperature 0 (or top-k 1) is greedy and consumes no randomness.
 * The candidates are ranked by logit (ties by id) and a draw walks that ranking, as a full sort would, but
 * selection does it in expected O(vocab): sorting a 10k vocabulary per token was a visible cost.
 */
export function pickToken(logits: Float32Array, options: SampleOptions, random: Random): number {
  if (isGreedy(options)) return argmax(logits);
  return drawFrom(cutFor(logits, options), random);
}

export function isGreedy(options: SampleOptions): boolean {
  return options.temperature <= 0 || options.topK === 1;
}

/**
 * What the sampler draws from: the `count` top-ranked ids (they sit, unordered, in ranking positions
 * [0, count)), with weights exp((logit - max) / temperature) summing to `total`; every id has its weight
 * (0 for <unk>, masked). Not for greedy settings.
 */
export interface Cut {
  readonly ranking: Ranking;
  readonly count: number;
  readonly total: number;
  readonly weights: Float64Array;
  readonly ids: Int32Array;
  readonly max: number;
  readonly temperature: number;
}

/** Temperature, then top-k, then top-p over what top-k kept: the sampler's whole rule, in one place. */
export function cutFor(logits: Float32Array, options: SampleOptions): Cut {
  const max = logits[argmax(logits)];
  const ids = new Int32Array(logits.length);
  const weights = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    ids[i] = i; // not Int32Array.from(keys()): the iterator costs more than all the rest
    weights[i] = Math.exp((logits[i] - max) / options.temperature);
  }
  const ranking = new Ranking(logits, weights, ids);
  let count = ids.length;
  if (options.topK > 0 && options.topK < count) {
    ranking.partitionTop(options.topK);
    count = options.topK;
  }
  let total = ranking.mass(0, count);
  if (options.topP > 0 && options.topP < 1) {
    count = ranking.prefixReaching(options.topP * total, count) + 1;
    total = ranking.mass(0, count);
  }
  return { ranking, count, total, weights, ids, max, temperature: options.temperature };
}

/** One draw from a cut; it reorders positions within [0, count) only, so the kept set stays. */
export function drawFrom(cut: Cut, random: Random): number {
  return cut.ids[cut.ranking.prefixReaching(random() * cut.total, cut.count)];
}

/**
 * Sets <unk>'s logit to -Infinity, since a reply never writes it (it stands for "some rare word", which reads
 * as noise); returns its raw logit (-Infinity without one) for those who show the model's own distribution.
 */
export function maskUnk(logits: Float32Array, tokenizer: Pick<Tokenizer, 'unkId'>): number {
  const unkId = tokenizer.unkId;
  if (unkId === null) return -Infinity;
  const raw = logits[unkId];
  logits[unkId] = -Infinity;
  return raw;
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

/**
 * Generated text as it may reach a terminal: a byte-level model can emit any byte, and a raw ESC or CR would
 * drive the terminal (colours, cursor moves, overwritten lines). C0 controls other than newline and tab, and DEL,
 * become their visible Unicode pictures (U+2400 block); C1 controls become U+FFFD.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
}

/** Yield to the event loop so a UI on the same thread can render between tokens. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Longest run of tokens without a yield: a turn of the event loop costs as much as a small model's token. */
const MS_BETWEEN_YIELDS = 4;

/** generate's signature, for those who are handed a generator (the chat session, its test fakes). */
export type GenerateFn = typeof generate;

/** Stream a continuation of `prompt`; onText gets each new piece of text as it is decoded. */
export async function generate(
  loaded: LoadedModel,
  prompt: string,
  options: SampleOptions,
  onText: (delta: string) => void,
  signal?: AbortSignal,
  probs?: ProbsRequest,
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
  const described: TokenProbs[] = [];
  const stops = (options.stop ?? []).filter((s) => s.length > 0);
  const eos = new Set([...(options.ignoreEos ? [] : (tokenizer.eosIds ?? [])), ...(options.stopIds ?? [])]);
  let text = '';
  let emitted = 0;
  let stoppedBy: GenerationResult['stoppedBy'] = 'max-tokens';
  let msToFirstToken = 0;
  const started = performance.now();
  let lastYield = started;
  const state = model.createState();
  let logits: Tensor1D | null = null;
  try {
    logits = model.feed(state, promptIds);
    while (generated.length < options.maxTokens) {
      const raw = (await logits.data()) as Float32Array;
      logits.dispose();
      logits = null;
      if (signal?.aborted) {
        stoppedBy = 'abort';
        break;
      }
      const unkLogit = maskUnk(raw, tokenizer);
      let id: number;
      if (probs) {
        // Only when asked, and from the sampler's own work on this token.
        const cut = isGreedy(options) ? null : cutFor(raw, options);
        const next = NextToken.fromMasked(raw, unkLogit, tokenizer, probs.top);
        id = cut ? drawFrom(cut, random) : next.best;
        described.push(next.record(id, options, cut, ''));
      } else {
        id = pickToken(raw, options, random);
      }
      if (eos.has(id)) {
        stoppedBy = 'eos';
        break;
      }
      generated.push(id);
      if (generated.length === 1) msToFirstToken = performance.now() - started;
      const piece = decodeNext(id);
      full += piece;
      if (probs) {
        described[described.length - 1].text = piece;
        probs.onToken?.(described[described.length - 1]);
      }
      const stopAt = firstStop(full, stops);
      text = stopAt === -1 ? full : full.slice(0, stopAt);
      // Hold back a tail that may be the start of a stop string, so a stop string never shows.
      const safe = stopAt === -1 ? text.length - heldBackLength(text, stops) : text.length;
      if (safe > emitted) {
        onText(visible(text.slice(emitted, safe)));
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
  if (text.length > emitted) onText(visible(text.slice(emitted)));
  const seconds = (performance.now() - started) / 1000;
  return {
    text: visible(text),
    tokens: generated.length,
    tokensPerSec: seconds > 0 ? generated.length / seconds : 0,
    msToFirstToken,
    stoppedBy,
    unknownPromptPieces: unknown,
    ...(dropped > 0 ? { droppedPromptTokens: dropped } : {}),
    ...(probs ? { tokenProbs: alignTokens(described, text) } : {}),
  };
}

/** The tokens whose pieces make up `text`: a stop string cuts the last one short and drops any after it. */
function alignTokens(tokens: TokenProbs[], text: string): TokenProbs[] {
  const out: TokenProbs[] = [];
  let at = 0;
  for (const token of tokens) {
    if (at >= text.length && token.text.length > 0) break;
    const piece = text.slice(at, at + token.text.length);
    out.push(piece === token.text ? token : { ...token, text: piece });
    at += piece.length;
  }
  return out;
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
