// Build a tokenizer from training text, or restore one saved with a model.
import type { Tokenizer, TokenizerJSON, TokenizerKind } from '../../types.js';
import { CharTokenizer } from './char.js';
import { UNK, WordTokenizer } from './word.js';
import { hfTokenizerFromJSON } from './hf.js';

export { CharTokenizer } from './char.js';
export { HfBpeTokenizer, tokenizerJsonFromVocabMerges } from './hf.js';
export { WordTokenizer, joinWords, splitWords, UNK, NEWLINE, DEFAULT_VOCAB_LIMIT } from './word.js';

export interface TokenizerOptions {
  lowercase?: boolean;
  vocabLimit?: number;
}

export function buildTokenizer(kind: TokenizerKind, trainingTexts: string[], options: TokenizerOptions = {}): Tokenizer {
  if (kind === 'char') return CharTokenizer.fromTexts(trainingTexts);
  if (kind === 'word') return WordTokenizer.fromTexts(trainingTexts, options);
  if (kind === 'bpe') throw new Error('a bpe tokenizer comes with a pretrained model: inkling import or inkling pull one, then fine-tune it');
  throw new Error(`unknown tokenizer '${String(kind)}': use char or word`);
}

function fail(why: string): never {
  throw new Error(`invalid tokenizer.json: ${why}`);
}

/** Restore a saved tokenizer; a malformed one gets a one-line error. */
export function tokenizerFromJSON(json: TokenizerJSON): Tokenizer {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not a JSON object');
  const { kind, vocab, options } = json as Partial<TokenizerJSON>;
  if (kind === 'bpe') return hfTokenizerFromJSON(json);
  if (!Array.isArray(vocab) || vocab.length === 0) fail('vocab must be a non-empty array');
  const bad = vocab.findIndex((v) => typeof v !== 'string' || v === '');
  if (bad >= 0) fail(`vocab entry ${bad} is not a non-empty string`);
  if (new Set(vocab).size !== vocab.length) fail('vocab has duplicate entries');
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    fail('options must be an object');
  }
  if (kind === 'char') {
    const multi = vocab.findIndex((v) => [...v].length !== 1);
    if (multi >= 0) fail(`char vocab entry ${multi} is not a single character`);
    return new CharTokenizer(vocab);
  }
  if (kind === 'word') {
    if (vocab[0] !== UNK) fail(`word vocab must start with ${UNK}`);
    const lowercase = options?.lowercase ?? true;
    const vocabLimit = options?.vocabLimit ?? vocab.length - 1;
    if (typeof lowercase !== 'boolean') fail('options.lowercase must be true or false');
    if (typeof vocabLimit !== 'number' || !Number.isInteger(vocabLimit) || vocabLimit < 1) {
      fail('options.vocabLimit must be a whole number of at least 1');
    }
    return new WordTokenizer(vocab, { lowercase, vocabLimit });
  }
  fail(`unknown kind '${String(kind)}' (expected char, word or bpe)`);
}
