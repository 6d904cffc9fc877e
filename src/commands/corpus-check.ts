// Corpus names for completion, and the cheap checks of a --corpus/--data argument made before a worker starts.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { quote, suggest, UsageError } from './args.js';

export async function corpusNames(): Promise<string[]> {
  try {
    const { listCorpora } = await import('../engine/data/corpus.js');
    return listCorpora().map((c) => c.name);
  } catch {
    return [];
  }
}

/**
 * Catch an unknown corpus or a missing file before a worker starts (the worker checks the content:
 * empty, binary, too large). Returns the corpus as given.
 */
export async function checkCorpus(nameOrPath: string, flag = '--corpus'): Promise<string> {
  const name = nameOrPath.trim();
  if (name === '') throw new UsageError(`${flag} is empty: give a corpus name (inkling corpora lists them) or a text file`);
  const names = await corpusNames();
  if (names.includes(name.toLowerCase())) return name;
  const expanded = name.startsWith('~/') ? path.join(process.env.HOME ?? '~', name.slice(2)) : name;
  const info = await stat(path.resolve(expanded)).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`${flag} ${quote(name)} is a directory: give a text file`);
  if (info) {
    // Cheap checks before a worker starts (the chat would otherwise report them only later).
    const { MAX_CORPUS_BYTES } = await import('../engine/data/corpus.js');
    if (!info.isFile()) throw new UsageError(`${flag} ${quote(name)} is not a regular file: give a text file`);
    if (info.size === 0) throw new UsageError(`${flag} ${quote(name)} is empty: give a text file with some text`);
    if (info.size >= MAX_CORPUS_BYTES) {
      throw new UsageError(`${flag} ${quote(name)} is too large (${(info.size / 1e6).toFixed(1)} MB); the limit is ${MAX_CORPUS_BYTES / 1e6} MB`);
    }
    return name;
  }
  if (/[\\/]/.test(name) || /\.\w{1,5}$/.test(name)) throw new UsageError(`${flag}: file not found: ${quote(name, 80)}`);
  const near = suggest(name.toLowerCase(), names);
  throw new UsageError(
    `unknown corpus ${quote(name)}` + (near ? ` (did you mean ${near}?)` : '') + ' — corpora lists the names; a path to a text file works too',
  );
}
