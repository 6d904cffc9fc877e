// Hugging Face tokenizers (byte-level BPE: GPT-2, Llama 3, Qwen2) through @huggingface/tokenizers, from a
// tokenizer.json or from vocab.json + merges.txt. Inkling keeps the Hugging Face tokenizer.json inside its own
// tokenizer.json (kind 'bpe'), so a model folder stays one format for every tokenizer.
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Encoded, Tokenizer, TokenizerJSON } from '../../types.js';
import { firstLine } from '../../first-line.js';

export interface HfTokenizerFiles {
  /** The parsed tokenizer.json. */
  tokenizer: Record<string, unknown>;
  /** The parsed tokenizer_config.json ({} when the folder has none). */
  config: Record<string, unknown>;
  /** Ids that end a reply (eos from generation_config.json / config.json / tokenizer_config.json). */
  eos: number[];
  /** The model's vocabulary size when it pads beyond the tokenizer's (Qwen2.5 does); else the tokenizer's. */
  vocabSize?: number;
}

function fail(why: string): never {
  throw new Error(`tokenizer: ${why}`);
}

/** Ids of the tokenizer's own tokens: its vocabulary and added tokens. */
function tokenizerSize(tok: HfTokenizer): number {
  let max = -1;
  for (const id of tok.get_vocab(true).values()) max = Math.max(max, id);
  return max + 1;
}

export class HfBpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly unkId = null;
  readonly vocabSize: number;
  readonly eosIds: readonly number[];
  private readonly tok: HfTokenizer;
  /** Each id's bytes, filled on first use. */
  private readonly bytes: (Uint8Array | undefined)[] = [];
  private readonly byteOf: Record<string, number>;
  private readonly added: Map<number, string>;
  private readonly utf8 = new TextEncoder();

  constructor(private readonly files: HfTokenizerFiles) {
    try {
      this.tok = new HfTokenizer(files.tokenizer, files.config);
    } catch (error) {
      fail(`tokenizer.json cannot be read (${firstLine(error, '')})`);
    }
    // Streaming needs each token's bytes; byte-level BPE has them (the models this loads all use it). The
    // package's type declarations do not resolve its decoder classes under NodeNext, hence the shape check.
    const decoder = this.tok.decoder as unknown as { byte_decoder?: Record<string, number> } | null;
    if (!decoder?.byte_decoder || (files.tokenizer.decoder as { type?: string } | null)?.type !== 'ByteLevel') {
      const type = (files.tokenizer.decoder as { type?: string } | null)?.type ?? 'none';
      fail(`decoder ${type} is not supported (byte-level BPE tokenizers are)`);
    }
    this.byteOf = decoder.byte_decoder;
    this.added = new Map([...this.tok.get_added_tokens_decoder()].map(([id, t]) => [id, t.content]));
    const own = tokenizerSize(this.tok);
    this.vocabSize = files.vocabSize ?? own;
    if (this.vocabSize < own) fail(`the model's vocabulary (${this.vocabSize}) is smaller than the tokenizer's (${own})`);
    this.eosIds = files.eos.filter((id) => Number.isInteger(id) && id >= 0 && id < this.vocabSize);
  }

  encode(text: string): Encoded {
    // No bos/eos added: a prompt continues text, as GPT-2 was trained.
    return { ids: this.tok.encode(text, { add_special_tokens: false }).ids, unknown: 0 };
  }

  /** A token's bytes: byte-level symbols mapped back, an added token's text as UTF-8, nothing for padding ids. */
  tokenBytes(id: number): Uint8Array {
    let b = this.bytes[id];
    if (b) return b;
    const added = this.added.get(id);
    if (added !== undefined) b = this.utf8.encode(added);
    else {
      const token = this.tok.id_to_token(id);
      b = token === undefined ? new Uint8Array(0) : Uint8Array.from([...token], (c) => this.byteOf[c] ?? 0x3f);
    }
    this.bytes[id] = b;
    return b;
  }

  decode(ids: readonly number[]): string {
    const step = this.decoder();
    let text = '';
    for (const id of ids) text += step(id);
    // Bytes of an unfinished character at the end are left out, as streaming leaves them pending: decode stays
    // prefix-stable (decode(a) is a prefix of decode(a.concat(b))).
    return text;
  }

  /**
   * Streaming: a UTF-8 decoder in stream mode holds the first bytes of a character split across tokens
   * (emoji, CJK) until the rest arrive, so each token costs its own bytes only.
   */
  decoder(): (id: number) => string {
    const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    return (id) => utf8.decode(this.tokenBytes(id), { stream: true });
  }

  /** tokenizer_config.json as imported: an instruct model's chat template and its special tokens live there. */
  get tokenizerConfig(): Readonly<Record<string, unknown>> {
    return this.files.config;
  }

  /** The id of a token given by its text (`<|im_end|>`), if the vocabulary has it. */
  tokenId(token: string): number | undefined {
    return this.tok.token_to_id(token) ?? undefined;
  }

  toJSON(): TokenizerJSON {
    return { kind: 'bpe', vocab: [], options: { ...this.files } };
  }
}

/** The added tokens a vocab.json-only GPT-2 folder implies: tokenizer_config's added_tokens_decoder, else <|endoftext|>. */
function addedTokens(vocab: Record<string, number>, config: Record<string, unknown>): Record<string, unknown>[] {
  const listed = config.added_tokens_decoder as Record<string, { content: string; special?: boolean; normalized?: boolean }> | undefined;
  if (listed && typeof listed === 'object') {
    return Object.entries(listed).map(([id, t]) => ({
      id: Number(id),
      content: t.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: t.normalized ?? true,
      special: t.special ?? true,
    }));
  }
  const eot = vocab['<|endoftext|>'];
  return eot === undefined ? [] : [{ id: eot, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }];
}

/** A tokenizer.json equivalent to GPT-2's slow tokenizer files (what transformers' converter builds). */
export function tokenizerJsonFromVocabMerges(vocabJson: string, mergesTxt: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(vocabJson) as Record<string, number>;
  } catch {
    fail('vocab.json is not valid JSON');
  }
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) fail('vocab.json is not an object');
  const merges = mergesTxt
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')));
  const bad = merges.find((m) => m.split(' ').length !== 2);
  if (bad !== undefined) fail(`merges.txt has a line that is not two symbols: ${JSON.stringify(bad.slice(0, 40))}`);
  const prefix = config.add_prefix_space === true;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(vocab, config),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: prefix, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** Restores a saved 'bpe' tokenizer (the options toJSON wrote). */
export function hfTokenizerFromJSON(json: TokenizerJSON): HfBpeTokenizer {
  const o = json.options as Partial<HfTokenizerFiles>;
  if (typeof o?.tokenizer !== 'object' || o.tokenizer === null) fail('the saved bpe tokenizer has no Hugging Face tokenizer.json');
  if (!Array.isArray(o.eos)) fail('the saved bpe tokenizer has no eos list');
  return new HfBpeTokenizer({ tokenizer: o.tokenizer, config: o.config ?? {}, eos: o.eos, vocabSize: o.vocabSize });
}
