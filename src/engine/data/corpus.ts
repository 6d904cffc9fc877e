// Named corpora shipped in data/ and user text files -> documents; the deterministic train/val split.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { dataDir } from '../store/paths.js';

export interface Corpus {
  /** The corpus name (gutenberg, shakespeare, austen-emma, ...) or the absolute path of a text file. */
  name: string;
  documents: { name: string; text: string }[];
}

export interface CorpusListing {
  name: string;
  description: string;
  bytes: number;
}

/**
 * Files of this size or more are refused before reading (here, and early in commands/corpus-check.ts): the
 * whole corpus is decoded and tokenized in memory (as UTF-16 text plus an Int32 id per token, about 6 bytes
 * per character for char models), which keeps a run's memory bounded, and a few MB already train for hours on a CPU.
 */
export const MAX_CORPUS_BYTES = 100_000_000;
const MAX_LABEL = 'the limit is 100 MB';

function gutenbergDir(): string {
  return path.join(dataDir(), 'gutenberg');
}

function shakespeareFile(): string {
  return path.join(dataDir(), 'tinyshakespeare.txt');
}

/** The book files, sorted so corpus order (and so training batches) is the same everywhere. */
function bookFiles(): string[] {
  try {
    return readdirSync(gutenbergDir())
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .map((f) => path.join(gutenbergDir(), f));
  } catch {
    return [];
  }
}

function stem(file: string): string {
  return path.basename(file, '.txt');
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Each shipped book opens with a line like "[Sense and Sensibility by Jane Austen 1811]". */
const TITLE_LINE = /^\[(.+) by (.+?)(?: (\d{4}))?\]/;

function firstBytes(file: string, count = 200): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(count);
    return buffer.subarray(0, readSync(fd, buffer, 0, count, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The book's own title and author ("Sense and Sensibility, Jane Austen, 1811"), else a guess from the file name. */
function describeBook(file: string): string {
  const match = TITLE_LINE.exec(firstBytes(file));
  if (match) return `${match[1]}, ${match[2]}${match[3] ? `, ${match[3]}` : ''} (Project Gutenberg)`;
  const [author, ...title] = stem(file).split('-');
  const pretty = (s: string) => s.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  return `${pretty(title.join(' '))}, ${pretty(author ?? '')} (Project Gutenberg)`;
}

export function listCorpora(): CorpusListing[] {
  const books = bookFiles();
  return [
    {
      name: 'gutenberg',
      description: `all ${books.length} Project Gutenberg books together`,
      bytes: books.reduce((sum, f) => sum + sizeOf(f), 0),
    },
    { name: 'shakespeare', description: 'Tiny Shakespeare (Karpathy)', bytes: sizeOf(shakespeareFile()) },
    ...books.map((f) => ({ name: stem(f), description: describeBook(f), bytes: sizeOf(f) })),
  ];
}

/** Files behind a shipped corpus name, or null when the name is not one. */
function shippedFiles(name: string): string[] | null {
  if (name === 'shakespeare') return [shakespeareFile()];
  const books = bookFiles();
  if (name === 'gutenberg') return books;
  const book = books.find((f) => stem(f) === name);
  return book ? [book] : null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

async function readLimited(file: string, shown: string): Promise<Buffer> {
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new Error(`corpus file not found: ${shown}`);
  }
  if (info.isDirectory()) throw new Error(`corpus path is a directory, not a text file: ${shown}`);
  if (!info.isFile()) throw new Error(`corpus path is not a regular file: ${shown}`);
  if (info.size >= MAX_CORPUS_BYTES) {
    throw new Error(`corpus file is too large: ${shown} is ${(info.size / 1e6).toFixed(1)} MB; ${MAX_LABEL}`);
  }
  if (info.size === 0) throw new Error(`corpus file is empty: ${shown}`);
  // Read through a handle so a file that grows meanwhile cannot exceed the limit.
  const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read corpus file ${shown}: ${e.code ?? e.message}`);
  });
  try {
    const buf = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buf, 0, info.size, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decode user text strictly: binary and non-UTF-8 files get a clear message instead of mojibake. */
export function decodeUtf8Text(buf: Uint8Array, shown: string): string {
  if (buf.includes(0)) throw new Error(`corpus file looks binary (it contains NUL bytes): ${shown}`);
  let text: string;
  try {
    text = strictUtf8.decode(buf);
  } catch {
    throw new Error(`corpus file is not valid UTF-8 text: ${shown} (convert it, e.g. iconv -f latin1 -t utf-8)`);
  }
  text = normalizeNewlines(text);
  if (text.trim() === '') throw new Error(`corpus file has no text (only whitespace): ${shown}`);
  return text;
}

/**
 * Two shipped books hold a few Latin-1 bytes and one a DOS end-of-file mark: read them leniently so
 * the shipped corpora always load.
 */
async function readShipped(file: string): Promise<string> {
  const buf = await readLimited(file, file);
  let text: string;
  try {
    text = strictUtf8.decode(buf);
  } catch {
    text = latin1.decode(buf);
  }
  return normalizeNewlines(text).replace(/\u001a/g, '');
}

function unknownNameError(name: string): Error {
  const books = bookFiles().map(stem);
  const some = books.slice(0, 3).join(', ') + (books.length > 3 ? ', ...' : '');
  const shown = name.length > 60 ? name.slice(0, 57) + '...' : name;
  return new Error(
    `unknown corpus '${shown}': names are gutenberg, shakespeare and the books ${some}; a path to a UTF-8 text file works too`,
  );
}

/** Whether `name` is a corpus shipped with Inkling (not a file path). */
export function isShippedCorpus(name: string): boolean {
  return shippedFiles(name.trim().toLowerCase()) !== null;
}

/**
 * The corpus a model folder records, when it may be read without the user naming it: a shipped corpus only.
 * A folder may come from someone else, so a path it records (even `/etc/passwd`) is opened only when the user
 * gives it on the command line. `how` says how to give it, e.g. "with --corpus".
 */
export function recordedCorpus(recorded: string, model: string, how: string): string {
  if (isShippedCorpus(recorded)) return recorded;
  const shown = recorded.length > 60 ? recorded.slice(0, 57) + '...' : recorded;
  throw new Error(`model '${model}' was trained on the file ${JSON.stringify(shown)}: a path recorded in a model folder is not read on its own; give the text ${how}`);
}

function looksLikePath(s: string): boolean {
  return /[\\/]/.test(s) || /\.\w{1,5}$/.test(s) || s.startsWith('~');
}

export async function loadCorpus(nameOrPath: string): Promise<Corpus> {
  const name = nameOrPath.trim();
  if (name === '') throw new Error('no corpus given: use a corpus name (e.g. shakespeare) or a path to a text file');
  if (name.includes('\0')) throw new Error('corpus name contains a NUL character');
  const shipped = shippedFiles(name.toLowerCase());
  if (shipped) {
    if (shipped.length === 0) throw new Error(`corpus '${name}' is missing from ${dataDir()}`);
    const documents = [];
    for (const file of shipped) documents.push({ name: stem(file), text: await readShipped(file) });
    return { name: name.toLowerCase(), documents };
  }
  const expanded = name.startsWith('~/') ? path.join(process.env.HOME ?? '~', name.slice(2)) : name;
  const file = path.resolve(expanded);
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (!exists && !looksLikePath(name)) throw unknownNameError(name);
  const text = decodeUtf8Text(await readLimited(file, name), name);
  return { name: file, documents: [{ name: path.basename(file), text }] };
}

/** Pasted text as a corpus (fine-tuning `--text`). */
export function corpusFromText(text: string, name = 'text'): Corpus {
  if (text.includes('\0')) throw new Error('text contains NUL characters: paste plain text');
  const normalized = normalizeNewlines(text);
  if (normalized.trim() === '') throw new Error('text is empty: give some text to train on');
  if (normalized.length >= MAX_CORPUS_BYTES) throw new Error(`text is too large; ${MAX_LABEL}`);
  return { name, documents: [{ name, text: normalized }] };
}

/**
 * Per document, the last `valFraction` is validation: deterministic, and every document (every book
 * of gutenberg) contributes to both sides. Arrays are aligned with `corpus.documents`.
 */
export function splitDocuments(corpus: Corpus, valFraction = 0.1): { train: string[]; val: string[] } {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${valFraction}`);
  const train: string[] = [];
  const val: string[] = [];
  for (const { text } of corpus.documents) {
    let cut = Math.floor(text.length * (1 - valFraction));
    // Never split a surrogate pair: move the cut before the high surrogate.
    if (cut > 0 && cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
    train.push(text.slice(0, cut));
    val.push(text.slice(cut));
  }
  return { train, val };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
