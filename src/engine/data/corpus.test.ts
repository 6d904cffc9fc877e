import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusFromText, listCorpora, loadCorpus, MAX_CORPUS_BYTES, splitDocuments } from './corpus.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const tmp = tempDir('inkling-corpus-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('named corpora', () => {
  it('lists gutenberg, shakespeare and each book with sizes', () => {
    const names = listCorpora().map((c) => c.name);
    expect(names.slice(0, 2)).toEqual(['gutenberg', 'shakespeare']);
    expect(names).toContain('austen-emma');
    expect(names).toContain('melville-moby_dick');
    expect(names).toHaveLength(15);
    expect(listCorpora().every((c) => c.bytes > 0 && c.description.length > 0)).toBe(true);
  });

  it("describes each book by its own title and author, not the file name's words", () => {
    const describe = (name: string) => listCorpora().find((c) => c.name === name)!.description;
    expect(describe('austen-sense')).toBe('Sense and Sensibility, Jane Austen, 1811 (Project Gutenberg)');
    expect(describe('whitman-leaves')).toBe('Leaves of Grass, Walt Whitman, 1855 (Project Gutenberg)');
    expect(describe('melville-moby_dick')).toMatch(/^Moby Dick, Herman Melville/);
  });

  it('loads gutenberg as 13 books, each splitting into train and validation', async () => {
    const corpus = await loadCorpus('gutenberg');
    expect(corpus.documents).toHaveLength(13);
    for (const doc of corpus.documents) {
      expect(doc.text).not.toMatch(/[\r\u001a\ufffd]/);
    }
    const { train, val } = splitDocuments(corpus);
    expect(val).toHaveLength(13);
    expect(val.every((v) => v.length > 0)).toBe(true);
    corpus.documents.forEach((doc, i) => expect(train[i]! + val[i]!).toBe(doc.text));
  });

  it('decodes the Latin-1 letters of the shipped books', async () => {
    const corpus = await loadCorpus('chesterton-ball');
    expect(corpus.documents[0]!.text).toContain('Bruneti\u00e8re');
  });

  it('loads shakespeare and a single book by stem', async () => {
    const s = await loadCorpus('shakespeare');
    expect(s.documents[0]!.text.startsWith('First Citizen')).toBe(true);
    const b = await loadCorpus('austen-emma');
    expect(b.documents).toHaveLength(1);
    expect(b.documents[0]!.name).toBe('austen-emma');
  });
});

describe('files and bad input', () => {
  it('loads a UTF-8 file and normalises line endings', async () => {
    const p = file('ok.txt', '\ufeffZürich\r\nline two\r\n');
    const corpus = await loadCorpus(p);
    expect(corpus.name).toBe(p);
    expect(corpus.documents[0]!.text).toBe('Zürich\nline two\n');
  });

  const oneLine = /^[^\n]+$/;
  it.each([
    ['unknown name', 'no-such-corpus', /unknown corpus 'no-such-corpus'.*gutenberg.*path/],
    ['missing file', '/nonexistent/dir/file.txt', /not found/],
    ['empty name', '  ', /no corpus given/],
  ])('%s gets one line', async (_, input, message) => {
    const err = await loadCorpus(input).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(oneLine);
  });

  it('refuses a directory, an empty file, a blank file, binary and non-UTF-8', async () => {
    const dir = path.join(tmp, 'adir');
    mkdirSync(dir);
    const cases: [string, RegExp][] = [
      [dir, /directory/],
      [file('empty.txt', ''), /empty/],
      [file('blank.txt', ' \n\n\t'), /no text/],
      [file('bin.dat', new Uint8Array([72, 105, 0, 1, 2])), /binary/],
      [file('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9])), /not valid UTF-8/],
    ];
    for (const [p, message] of cases) {
      const err = await loadCorpus(p).catch((e: Error) => e);
      expect((err as Error).message, p).toMatch(message);
      expect((err as Error).message).toMatch(oneLine);
    }
  });

  it('refuses a file over the limit, naming the limit, without reading it', async () => {
    const big = path.join(tmp, 'big.txt');
    writeFileSync(big, 'x');
    truncateSync(big, MAX_CORPUS_BYTES); // sparse: no disk used
    const err = await loadCorpus(big).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/too large: .* is 100\.0 MB; the limit is 100 MB$/);
  });

  it('makes a corpus of pasted text', () => {
    expect(corpusFromText('a\r\nb', 'pasted')).toEqual({ name: 'pasted', documents: [{ name: 'pasted', text: 'a\nb' }] });
    expect(() => corpusFromText('  \n ')).toThrow(/empty/);
    expect(() => corpusFromText('a\0b')).toThrow(/NUL/);
  });
});

describe('splitDocuments', () => {
  it('takes the last tenth of each document, deterministically', () => {
    const corpus = { name: 't', documents: [{ name: 'a', text: '0123456789'.repeat(10) }, { name: 'b', text: 'abcdefghij' }] };
    const { train, val } = splitDocuments(corpus);
    expect(train).toEqual(['0123456789'.repeat(9), 'abcdefghi']);
    expect(val).toEqual(['0123456789', 'j']);
    expect(splitDocuments(corpus)).toEqual({ train, val });
  });

  it('never cuts a surrogate pair', () => {
    const text = 'abcdefgh😀j'; // 11 code units, cut at 9 would split the emoji
    const { train, val } = splitDocuments({ name: 't', documents: [{ name: 'a', text }] }, 0.2);
    expect(train[0]! + val[0]!).toBe(text);
    expect(val[0]!.startsWith('😀')).toBe(true);
  });

  it('rejects a fraction outside [0, 1)', () => {
    const corpus = corpusFromText('hello');
    expect(() => splitDocuments(corpus, 1)).toThrow(/fraction/);
    expect(() => splitDocuments(corpus, Number.NaN)).toThrow(/fraction/);
  });
});
