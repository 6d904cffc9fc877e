import { describe, expect, it } from 'vitest';
import { buildTokenizer, tokenizerFromJSON } from './index.js';

describe('char tokenizer', () => {
  const text = 'Hello, world!\nZürich 😀 naïve';
  const tok = buildTokenizer('char', [text]);

  it('has the sorted distinct code points as vocabulary', () => {
    const vocab = tok.toJSON().vocab;
    expect(vocab).toContain('😀'); // one entry, not two surrogate halves
    expect(vocab.every((v) => [...v].length === 1)).toBe(true);
    expect(tok.vocabSize).toBe(new Set([...text]).size);
    const points = vocab.map((v) => v.codePointAt(0)!);
    expect(points).toEqual([...points].sort((a, b) => a - b));
    expect(tok.unkId).toBeNull();
  });

  it('round-trips text in its vocabulary', () => {
    const sample = 'Zürich, 😀!\nHello naïve world';
    const { ids, unknown } = tok.encode(sample);
    expect(unknown).toBe(0);
    expect(tok.decode(ids)).toBe(sample);
  });

  it('drops and counts unknown characters', () => {
    const { ids, unknown } = tok.encode('Hq€🎉o');
    expect(unknown).toBe(3);
    expect(tok.decode(ids)).toBe('Ho');
  });

  it('streams: the pieces of decoder() add up to decode()', () => {
    const tok = buildTokenizer('char', ['Hello, world!\n']);
    const ids = [0, 3, 1, 9, 2, 99, 4];
    const next = tok.decoder();
    expect(ids.map(next).join('')).toBe(tok.decode(ids));
  });

  it('round-trips through JSON with the same ids', () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON()));
    const back = tokenizerFromJSON(json);
    expect(back.kind).toBe('char');
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.encode(text).ids).toEqual(tok.encode(text).ids);
    expect(back.decode(tok.encode(text).ids)).toBe(text);
  });

  it('refuses an empty training text', () => {
    expect(() => buildTokenizer('char', [''])).toThrow(/non-empty vocabulary/);
  });
});
