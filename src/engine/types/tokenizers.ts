// Tokenizer contracts (re-exported by ../types.ts, which is where the rest of the engine imports them from).
import type { TokenizerKind } from '../types.js';

export interface TokenizerJSON {
  kind: TokenizerKind;
  vocab: string[];
  options: Record<string, unknown>;
}

export interface Encoded {
  ids: number[];
  /** Pieces of text the vocabulary does not know (mapped to <unk>, or dropped where there is no <unk>). */
  unknown: number;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  /** Id of `<unk>`, or null when unknown pieces are dropped (char). */
  readonly unkId: number | null;
  /** Ids that end a reply (a pretrained model's end-of-text); absent or empty when none. */
  readonly eosIds?: readonly number[];
  encode(text: string): Encoded;
  /** Prefix-stable: decode(a) is a prefix of decode(a.concat(b)), so streaming can emit deltas. */
  decode(ids: readonly number[]): string;
  /**
   * A fresh streaming decoder: each call returns what decode() of all ids so far adds for the new one, so
   * streaming a reply costs O(1) per token instead of decoding the whole text again.
   */
  decoder(): (id: number) => string;
  /**
   * The token's bytes, for tokenizers whose tokens are bytes (byte-level BPE): a token holding part of a
   * UTF-8 character is then shown as `<0xE2>`. Absent when every token is whole text (char, word).
   */
  tokenBytes?(id: number): Uint8Array;
  toJSON(): TokenizerJSON;
}
