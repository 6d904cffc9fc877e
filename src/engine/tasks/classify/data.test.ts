import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabelled, splitRows, type LabelledRow } from './data.js';
import { figures } from './metrics.js';

const dir = mkdtempSync(path.join(tmpdir(), 'inkling-labelled-'));
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('reading labelled files', () => {
  it('parses quoted newlines and commas in CSV as one field', async () => {
    const data = await readLabelled(file('q.csv', 'text,label\n"line one,\nline two",a\nplain,b\n'));
    expect(data.rows).toEqual([{ text: 'line one,\nline two', label: 'a' }, { text: 'plain', label: 'b' }]);
    expect(data.bad.count).toBe(0);
  });

  it('reads TSV and JSONL, with other column names', async () => {
    const tsv = await readLabelled(file('t.tsv', 'review\tmood\ngood film\tpos\nbad film\tneg\n'), { textColumn: 'review', labelColumn: 'mood' });
    expect(tsv.rows.map((r) => r.label)).toEqual(['pos', 'neg']);
    const jsonl = await readLabelled(file('j.jsonl', '{"text":"a","label":1}\n{"text":"b","label":2,"split":"val"}\n'));
    expect(jsonl.rows).toEqual([{ text: 'a', label: '1' }, { text: 'b', label: '2', split: 'val' }]);
  });

  it('counts empty and malformed rows instead of dropping them silently', async () => {
    const data = await readLabelled(file('bad.jsonl', '{"text":"a","label":"x"}\nnot json\n{"text":"","label":"x"}\n{"text":"b"}\n{"text":"c","label":"y"}\n'));
    expect(data.rows).toHaveLength(2);
    expect(data.bad.count).toBe(3);
    expect(data.bad.examples[0]).toBe('line 2: not a JSON object');
  });

  it.each([
    ['nolabel.csv', 'text,category\nhi,a\n', /has no label column 'label' \(columns: text, category\); --label-column picks another/],
    ['notext.csv', 'body,label\nhi,a\n', /has no text column 'text'/],
  ])('%s -> one clear line', async (name, content, message) => {
    await expect(readLabelled(file(name, content))).rejects.toThrow(message);
  });

  it('refuses a file that is not UTF-8, naming it', async () => {
    await expect(readLabelled(file('latin1.csv', Buffer.from('text,label\ncaf\xe9,a\n', 'latin1')))).rejects.toThrow(/not valid UTF-8 text: .*latin1\.csv/);
  });

  it('refuses a missing file with one line', async () => {
    await expect(readLabelled(path.join(dir, 'none.csv'))).rejects.toThrow(/data file not found/);
  });

  it('finds the shipped demo by name', async () => {
    const data = await readLabelled('gutenberg-authors');
    expect(new Set(data.rows.map((r) => r.label)).size).toBe(7);
    expect(data.rows.every((r) => r.split === 'train' || r.split === 'val')).toBe(true);
  });
});

describe('splitting', () => {
  const rows = (counts: Record<string, number>): LabelledRow[] =>
    Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, label })));

  it('holds out the same share of every class, the same way for the same seed', () => {
    const split = splitRows(rows({ a: 50, b: 10 }), 0.2, 7);
    expect(split.labels).toEqual(['a', 'b']);
    expect(split.val.y.filter((y) => y === 0)).toHaveLength(10);
    expect(split.val.y.filter((y) => y === 1)).toHaveLength(2);
    expect(split.train.texts).toHaveLength(48);
    expect(splitRows(rows({ a: 50, b: 10 }), 0.2, 7)).toEqual(split);
    expect(splitRows(rows({ a: 50, b: 10 }), 0.2, 8).val.texts).not.toEqual(split.val.texts);
  });

  it('uses a split column when every row has one', () => {
    const split = splitRows([{ text: 'x', label: 'a', split: 'train' }, { text: 'y', label: 'a', split: 'val' }, { text: 'z', label: 'b', split: 'train' }, { text: 'w', label: 'b', split: 'val' }], 0.2, 1);
    expect(split.how).toBe('split column');
    expect(split.val.texts).toEqual(['y', 'w']);
  });

  it('refuses a single class', () => {
    expect(() => splitRows(rows({ only: 5 }), 0.2, 1)).toThrow("the data has a single class ('only'): a classifier needs two or more labels");
  });

  it('names a class with fewer than two examples', () => {
    expect(() => splitRows(rows({ a: 5, rare: 1 }), 0.2, 1)).toThrow("class 'rare' has 1 example: each class needs at least 2");
  });
});

describe('figures', () => {
  it('computes accuracy, macro-F1, per-class precision and recall, and the confusion matrix', () => {
    const f = figures(['a', 'b'], [0, 0, 0, 1], [0, 0, 1, 1]);
    expect(f.confusion).toEqual([[2, 1], [0, 1]]);
    expect(f.accuracy).toBe(0.75);
    expect(f.perClass[0]).toMatchObject({ label: 'a', precision: 1, recall: 2 / 3, support: 3 });
    expect(f.perClass[1]).toMatchObject({ label: 'b', precision: 0.5, recall: 1, support: 1 });
    expect(f.macroF1).toBeCloseTo((0.8 + 2 / 3) / 2, 10);
  });
});
