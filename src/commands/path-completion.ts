// Tab completion of file paths (for --corpus and --data): the entries of the folder typed so far,
// folders with a trailing slash so the next Tab goes on into them.
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Enough to choose from; a huge folder is not worth listing whole. */
const MAX_ENTRIES = 100;

/** Does the word read as a path rather than a name? */
export function looksLikePath(word: string): boolean {
  return word.includes('/') || word.startsWith('.') || word.startsWith('~');
}

export async function completePath(word: string, cwd = process.cwd()): Promise<string[]> {
  const folderPart = word.slice(0, word.lastIndexOf('/') + 1);
  const start = word.slice(folderPart.length);
  const expanded = folderPart.startsWith('~') ? homedir() + folderPart.slice(1) : folderPart;
  const entries = await readdir(path.resolve(cwd, expanded || '.'), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.name.startsWith(start) && (start.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => folderPart + e.name + (e.isDirectory() ? '/' : ''))
    .sort()
    .slice(0, MAX_ENTRIES);
}
