// Labelled text for classification: CSV, TSV or JSONL read with a real parser (quoted newlines and
// commas inside quotes are fine), bad rows counted and reported, and a stratified held-out split.
import { open, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { dataDir } from '../../store/paths.js';
import { firstLine } from '../../first-line.js';

export interface LabelledRow {
  text: string;
  label: string;
  /** From an optional `split` column/field ("train" or "val"): a fixed held-out part, as the shipped demo has. */
  split?: 'train' | 'val';
}

export interface LabelledData {
  /** The name shown in reports: a shipped dataset's name, else the path as given. */
  name: string;
  rows: LabelledRow[];
  /** Rows skipped because they were empty or malformed, with the first few reasons. */
  bad: { count: number; examples: string[] };
}

export interface ReadOptions {
  textColumn?: string;
  labelColumn?: string;
}

/** The limit for a labelled file (it is parsed whole in memory). */
export const MAX_LABELLED_BYTES = 50_000_000;

/** A shipped dataset name (`gutenberg-authors`) or a path. */
export function resolveLabelledFile(nameOrPath: string): { file: string; name: string } {
  const name = nameOrPath.trim();
  if (name === '') throw new Error('--data is empty: give a CSV, TSV or JSONL file');
  if (!/[\\/]/.test(name) && !/\.\w{1,5}$/.test(name)) {
    const shipped = path.join(dataDir(), `${name}.jsonl`);
    if (existsSync(shipped)) return { file: shipped, name };
  }
  const expanded = name.startsWith('~/') ? path.join(process.env.HOME ?? '~', name.slice(2)) : name;
  return { file: path.resolve(expanded), name };
}

function formatOf(file: string): 'csv' | 'tsv' | 'jsonl' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return 'csv';
}

async function readText(file: string, shown: string): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new Error(`data file not found: ${shown}`);
  if (!info.isFile()) throw new Error(`data path is not a file: ${shown}`);
  if (info.size === 0) throw new Error(`data file is empty: ${shown}`);
  if (info.size >= MAX_LABELLED_BYTES) throw new Error(`data file is too large: ${shown} is ${(info.size / 1e6).toFixed(1)} MB; the limit is ${MAX_LABELLED_BYTES / 1e6} MB`);
  const handle = await open(file, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buf, 0, info.size, 0);
    buf = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (buf.includes(0)) throw new Error(`data file looks binary (it contains NUL bytes): ${shown}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    throw new Error(`data file is not valid UTF-8 text: ${shown} (convert it, e.g. iconv -f latin1 -t utf-8)`);
  }
}

type Record_ = Record<string, unknown>;

function parseRecords(text: string, format: 'csv' | 'tsv' | 'jsonl', shown: string, bad: LabelledData['bad']): { records: Record_[]; columns: Set<string> } {
  const columns = new Set<string>();
  if (format === 'jsonl') {
    const records: Record_[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        for (const key of Object.keys(value)) columns.add(key);
        records.push(value as Record_);
      } catch {
        note(bad, `line ${i + 1}: not a JSON object`);
      }
    });
    return { records, columns };
  }
  let records: Record_[];
  try {
    records = parse(text, {
      columns: true,
      delimiter: format === 'tsv' ? '\t' : ',',
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: format === 'tsv',
      trim: false,
    }) as Record_[];
  } catch (error) {
    throw new Error(`cannot parse ${shown} as ${format.toUpperCase()}: ${firstLine(error, '')}`);
  }
  for (const r of records) for (const key of Object.keys(r)) columns.add(key);
  return { records, columns };
}

function note(bad: LabelledData['bad'], why: string): void {
  bad.count++;
  if (bad.examples.length < 3) bad.examples.push(why);
}

export async function readLabelled(nameOrPath: string, options: ReadOptions = {}): Promise<LabelledData> {
  const { file, name } = resolveLabelledFile(nameOrPath);
  const textColumn = options.textColumn ?? 'text';
  const labelColumn = options.labelColumn ?? 'label';
  const bad = { count: 0, examples: [] as string[] };
  const { records, columns } = parseRecords(await readText(file, name), formatOf(file), name, bad);
  if (records.length === 0) throw new Error(`no rows in ${name}`);
  const have = [...columns].slice(0, 8).join(', ') || 'none';
  if (!columns.has(labelColumn)) throw new Error(`${name} has no label column '${labelColumn}' (columns: ${have}); --label-column picks another`);
  if (!columns.has(textColumn)) throw new Error(`${name} has no text column '${textColumn}' (columns: ${have}); --text-column picks another`);
  const rows: LabelledRow[] = [];
  records.forEach((r, i) => {
    const where = `row ${i + 1}`;
    const text = r[textColumn];
    const label = r[labelColumn];
    if (typeof text !== 'string' || text.trim() === '') return note(bad, `${where}: empty or missing text`);
    if ((typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') || String(label).trim() === '') {
      return note(bad, `${where}: empty or missing label`);
    }
    const split = r.split;
    rows.push({ text: text.replace(/\r\n?/g, '\n'), label: String(label).trim(), ...(split === 'train' || split === 'val' ? { split } : {}) });
  });
  if (rows.length === 0) throw new Error(`no usable rows in ${name}: all ${bad.count} were empty or malformed (${bad.examples[0]})`);
  return { name, rows, bad };
}

/** mulberry32: a small seeded generator, so a split is the same on every run with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Split {
  labels: string[];
  train: { texts: string[]; y: number[] };
  val: { texts: string[]; y: number[] };
  /** How the held-out part was chosen. */
  how: 'stratified' | 'split column';
}

/**
 * Labels sorted; the held-out part from the rows' own `split` field when every row has one, else a
 * stratified share `val` of each class (at least one row on each side, so every class needs two).
 */
export function splitRows(rows: readonly LabelledRow[], val: number, seed: number): Split {
  if (!(val > 0 && val < 1)) throw new Error(`--val must be between 0 and 1, got ${val}`);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const labels = [...counts.keys()].sort();
  if (labels.length < 2) throw new Error(`the data has a single class ('${labels[0]}'): a classifier needs two or more labels`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const train = { texts: [] as string[], y: [] as number[] };
  const held = { texts: [] as string[], y: [] as number[] };
  if (rows.every((r) => r.split)) {
    for (const r of rows) {
      const side = r.split === 'val' ? held : train;
      side.texts.push(r.text);
      side.y.push(index.get(r.label)!);
    }
    for (const label of labels) {
      const i = index.get(label)!;
      if (!train.y.includes(i) || !held.y.includes(i)) throw new Error(`class '${label}' needs rows in both the train and the val split`);
    }
    return { labels, train, val: held, how: 'split column' };
  }
  const few = labels.filter((l) => counts.get(l)! < 2);
  if (few.length > 0) {
    throw new Error(`class '${few[0]}' has ${counts.get(few[0]!)} example${few.length > 1 ? ` (and ${few.length - 1} more class(es) too)` : ''}: each class needs at least 2 to be split into train and val`);
  }
  const random = seededRandom(seed);
  for (const label of labels) {
    const members = rows.filter((r) => r.label === label);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    const nVal = Math.min(members.length - 1, Math.max(1, Math.round(members.length * val)));
    members.forEach((r, i) => {
      const side = i < nVal ? held : train;
      side.texts.push(r.text);
      side.y.push(index.get(label)!);
    });
  }
  return { labels, train, val: held, how: 'stratified' };
}
