// Word-level tokenizer in the spirit of the classic Keras text-generation tutorial: optional
// lower-casing, punctuation as its own tokens, a frequency-capped vocabulary and <unk>.
// Splitting is wink-tokenizer's (words, numbers, punctuation, English contractions); newlines are kept
// as a "\n" token so generated text keeps its line structure.
import winkTokenizer from 'wink-tokenizer';
import type { Encoded, Tokenizer, TokenizerJSON } from '../../types.js';

export const UNK = '<unk>';
export const NEWLINE = '\n';
export const DEFAULT_VOCAB_LIMIT = 10_000;

export interface WordOptions {
  lowercase: boolean;
  /** Most frequent tokens kept, not counting <unk>. */
  vocabLimit: number;
}

const wink = winkTokenizer();
// Book text, not tweets: "3:30pm", ":)", "#tag", "@name", emails and URLs split like any other text.
wink.defineConfig({ emoticon: false, time: false, hashtag: false, mention: false, email: false, url: false, quoted_phrase: false });

/** The token strings of `text` (lower-cased first when asked). */
export function splitWords(text: string, lowercase: boolean): string[] {
  const source = (lowercase ? text.toLowerCase() : text).replace(/\r\n?/g, '\n');
  const out: string[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) out.push(NEWLINE);
    const line = lines[i]!;
    if (line.trim() === '') continue;
    for (const { value } of wink.tokenize(line)) if (value !== '') out.push(value);
  }
  return out;
}

// ---------------------------------------------------------------- decoding with natural spacing

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', '…', '%', '’', '”']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '‘', '“', '`', '$', '£', '€', '¥', '₹', '₩', '₽', '₨', '₿']);
/** Contraction tails as wink splits them: do|n't, it|'s, we|'ll. */
const CONTRACTION_TAIL = /^(?:n't|'[a-z]+)$/i;
const WORDISH_END = /[\p{L}\p{N}.,!?;:)\]}’”]$/u;

/** Spacing state after a prefix of tokens: the next separator depends only on this and the next token. */
interface SpacingState {
  noSpaceNext: boolean;
  prev: string;
  doubleOpen: boolean;
  singleOpen: boolean;
  underscoreOpen: boolean;
}

function initialState(): SpacingState {
  return { noSpaceNext: true, prev: '', doubleOpen: false, singleOpen: false, underscoreOpen: false };
}

/** Returns the text to append for `token` (separator included) and updates the state. */
function place(state: SpacingState, token: string): string {
  const space = state.noSpaceNext ? '' : ' ';
  let sep = space;
  let noSpaceNext = false;
  if (token === NEWLINE) {
    sep = '';
    noSpaceNext = true;
  } else if (token === '"' || token === '_') {
    // Straight quotes and _italics_ pair up: the odd one opens, the even one closes.
    const key = token === '"' ? 'doubleOpen' : 'underscoreOpen';
    if (state[key]) sep = '';
    else noSpaceNext = true;
    state[key] = !state[key];
  } else if (token === "'") {
    // After a word it closes a quote or ends a plural possessive (the hunters' camp); else it opens.
    const attaches = /[\p{L}\p{N}]$/u.test(state.prev) || (state.singleOpen && WORDISH_END.test(state.prev));
    if (attaches) {
      sep = '';
      state.singleOpen = false;
    } else {
      noSpaceNext = true;
      state.singleOpen = true;
    }
  } else if (token === '-') {
    // Hyphenated words and Gutenberg's "--" dashes.
    sep = '';
    noSpaceNext = true;
  } else if (NO_SPACE_BEFORE.has(token) || CONTRACTION_TAIL.test(token)) {
    sep = '';
  } else if (NO_SPACE_AFTER.has(token)) {
    noSpaceNext = true;
  }
  state.noSpaceNext = noSpaceNext;
  state.prev = token;
  return sep + token;
}

/** Joins tokens with natural spacing; prefix-stable because each separator depends only on earlier tokens. */
export function joinWords(tokens: readonly string[]): string {
  const state = initialState();
  let out = '';
  for (const token of tokens) out += place(state, token);
  return out;
}

// ---------------------------------------------------------------- the tokenizer

export class WordTokenizer implements Tokenizer {
  readonly kind = 'word' as const;
  readonly unkId = 0;
  private readonly ids: Map<string, number>;

  constructor(
    private readonly vocab: readonly string[],
    readonly options: WordOptions,
  ) {
    if (vocab[0] !== UNK) throw new Error(`word tokenizer vocabulary must start with ${UNK}`);
    this.ids = new Map(vocab.map((token, i) => [token, i]));
  }

  /** Vocabulary: <unk>, then the `vocabLimit` most frequent tokens (ties broken by code-unit order). */
  static fromTexts(texts: readonly string[], options: Partial<WordOptions> = {}): WordTokenizer {
    const opts: WordOptions = {
      lowercase: options.lowercase ?? true,
      vocabLimit: options.vocabLimit ?? DEFAULT_VOCAB_LIMIT,
    };
    if (!Number.isInteger(opts.vocabLimit) || opts.vocabLimit < 1) {
      throw new Error(`vocabulary limit must be a whole number of at least 1, got ${opts.vocabLimit}`);
    }
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const token of splitWords(text, opts.lowercase)) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    counts.delete(UNK);
    if (counts.size === (counts.has(NEWLINE) ? 1 : 0)) throw new Error('word tokenizer found no words in the training text');
    const ranked = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, opts.vocabLimit)
      .map(([token]) => token);
    return new WordTokenizer([UNK, ...ranked], opts);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): Encoded {
    const ids: number[] = [];
    let unknown = 0;
    for (const token of splitWords(text, this.options.lowercase)) {
      const id = this.ids.get(token);
      if (id === undefined || id === this.unkId) {
        unknown++;
        ids.push(this.unkId);
      } else ids.push(id);
    }
    return { ids, unknown };
  }

  decode(ids: readonly number[]): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const token = this.vocab[id];
      if (token !== undefined) tokens.push(token);
    }
    return joinWords(tokens);
  }

  decoder(): (id: number) => string {
    const state = initialState();
    return (id) => {
      const token = this.vocab[id];
      return token === undefined ? '' : place(state, token);
    };
  }

  toJSON(): TokenizerJSON {
    return { kind: 'word', vocab: [...this.vocab], options: { ...this.options } };
  }
}
