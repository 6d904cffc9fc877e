import { describe, expect, it } from 'vitest';
import { buildTokenizer, joinWords, splitWords, tokenizerFromJSON, UNK } from './index.js';

const text = `"Don't you think, Mr. Knightley--that it's fine?" she said.
'Tis the hunters' camp (yes). _Emma_ cost $5, or 10 pounds!

The END; of: it all...`;

describe('word tokenizer', () => {
  it('splits punctuation off, keeps newlines and lower-cases by default', () => {
    const tokens = splitWords('Hello, World!\nBye.', true);
    expect(tokens).toEqual(['hello', ',', 'world', '!', '\n', 'bye', '.']);
    expect(splitWords('Hello', false)).toEqual(['Hello']);
    expect(splitWords("don't", true)).toEqual(['do', "n't"]);
  });

  it('builds <unk> plus the most frequent tokens, ties broken deterministically', () => {
    const tok = buildTokenizer('word', ['b a c a b a d'], { vocabLimit: 2 });
    expect(tok.toJSON().vocab).toEqual([UNK, 'a', 'b']);
    expect(tok.vocabSize).toBe(3);
    expect(tok.unkId).toBe(0);
    const again = buildTokenizer('word', ['d c b a a b'], { vocabLimit: 3 });
    expect(again.toJSON().vocab).toEqual([UNK, 'a', 'b', 'c']);
  });

  it('maps unknown words to <unk> and counts them', () => {
    const tok = buildTokenizer('word', ['the cat sat on the mat']);
    const { ids, unknown } = tok.encode('The dog sat');
    expect(unknown).toBe(1);
    expect(ids[1]).toBe(tok.unkId);
    expect(tok.decode(ids)).toBe('the <unk> sat');
  });

  it('decodes with natural spacing', () => {
    const tok = buildTokenizer('word', [text]);
    expect(tok.decode(tok.encode(text).ids)).toBe(
      `"don't you think, mr. knightley--that it's fine?" she said.\n'tis the hunters' camp (yes). _emma_ cost $5, or 10 pounds!\n\nthe end; of: it all...`,
    );
    expect(joinWords(['(', 'a', ')', ',', 'b'])).toBe('(a), b');
  });

  it('re-encodes decoded text to the same ids', () => {
    const tok = buildTokenizer('word', [text], { lowercase: false });
    const ids = tok.encode(text).ids;
    expect(tok.encode(tok.decode(ids)).ids).toEqual(ids);
    expect(tok.encode(tok.decode(ids)).unknown).toBe(0);
  });

  it('decode is prefix-stable over random id sequences', () => {
    const tok = buildTokenizer('word', [text]);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 300; trial++) {
      const ids = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * tok.vocabSize));
      const cut = Math.floor(rand() * ids.length);
      const whole = tok.decode(ids);
      expect(whole.startsWith(tok.decode(ids.slice(0, cut)))).toBe(true);
    }
  });

  it('streams: the pieces of decoder() add up to decode() of every prefix', () => {
    const tok = buildTokenizer('word', [text]);
    let seed = 777;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const ids = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * (tok.vocabSize + 2)));
      const next = tok.decoder();
      let streamed = '';
      ids.forEach((id, i) => {
        streamed += next(id);
        expect(streamed).toBe(tok.decode(ids.slice(0, i + 1)));
      });
    }
  });

  it('round-trips through JSON with the same ids and decode', () => {
    const tok = buildTokenizer('word', [text], { lowercase: false, vocabLimit: 12 });
    const back = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.toJSON()).toEqual(tok.toJSON());
    const enc = tok.encode(text);
    expect(back.encode(text)).toEqual(enc);
    expect(back.decode(enc.ids)).toBe(tok.decode(enc.ids));
  });

  it('rejects bad options and empty text', () => {
    expect(() => buildTokenizer('word', ['a b'], { vocabLimit: 0 })).toThrow(/vocabulary limit/);
    expect(() => buildTokenizer('word', ['   \n'])).toThrow(/no words/);
  });
});

describe('tokenizerFromJSON', () => {
  const cases: [string, unknown][] = [
    ['null', null],
    ['array', []],
    ['no vocab', { kind: 'char', options: {} }],
    ['empty vocab', { kind: 'char', vocab: [], options: {} }],
    ['non-string', { kind: 'char', vocab: ['a', 3], options: {} }],
    ['duplicates', { kind: 'char', vocab: ['a', 'a'], options: {} }],
    ['multi-char', { kind: 'char', vocab: ['ab'], options: {} }],
    ['no unk', { kind: 'word', vocab: ['a'], options: {} }],
    ['bad option', { kind: 'word', vocab: [UNK, 'a'], options: { lowercase: 'yes' } }],
    ['bad kind', { kind: 'sentencepiece', vocab: ['a'], options: {} }],
  ];
  it.each(cases)('throws a one-line error for %s', (_, json) => {
    expect(() => tokenizerFromJSON(json as never)).toThrow(/^invalid tokenizer\.json: [^\n]+$/);
  });
});
