// What a killed save leaves behind, and putting it right. A save writes `.NAME.tmp-PID-TIME`, moves
// NAME aside to `.NAME.old-PID-TIME`, renames the temp folder to NAME, then deletes the old one
// (checkpoint.ts). No tfjs here: the CLI and the chat run this at start, before any backend loads.
import { readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SaveFolder {
  /** The folder's own name, e.g. `.s1.tmp-1234-1700000000000`. */
  entry: string;
  /** The model it belongs to. */
  name: string;
  kind: 'tmp' | 'old';
  pid: number;
  startedAt: number;
}

const SAVE_FOLDER = /^\.(.+)\.(tmp|old)-(\d+)-(\d+)$/;

/** A swap takes milliseconds: a set-aside folder older than this is not a live save, whatever its pid says. */
const LIVE_SWAP_MS = 60_000;

export function parseSaveFolder(entry: string): SaveFolder | null {
  const match = SAVE_FOLDER.exec(entry);
  if (!match) return null;
  return { entry, name: match[1]!, kind: match[2] as 'tmp' | 'old', pid: Number(match[3]), startedAt: Number(match[4]) };
}

/** Whether the process that made a save folder may still be writing it (this process counts as alive). */
export function ownerAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A set-aside folder of a swap that a live process is doing right now (not one a kill left behind). */
export function isLiveSwap(folder: SaveFolder, now = Date.now()): boolean {
  return ownerAlive(folder.pid) && now - folder.startedAt < LIVE_SWAP_MS;
}

/**
 * A kill between the two renames of a save leaves `.NAME.old-*` and no `NAME`: put the old one (the
 * last good checkpoint) back. Skips swaps a live process is still doing. Returns the names restored.
 */
export async function recoverInterruptedSaves(modelsDir: string, now = Date.now()): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(modelsDir)).sort();
  } catch {
    return [];
  }
  const restored: string[] = [];
  for (const entry of entries) {
    const folder = parseSaveFolder(entry);
    if (!folder || folder.kind !== 'old') continue;
    if (isLiveSwap(folder, now)) continue;
    const target = path.join(modelsDir, folder.name);
    if (await exists(target)) continue;
    try {
      await rename(path.join(modelsDir, entry), target);
      restored.push(folder.name);
    } catch {
      // Another process restored it first, or the folder is read-only: listing still works.
    }
  }
  return restored;
}

/** A live process is saving model folder `dir` right now (its temp or set-aside folder exists). */
export async function saveInProgress(dir: string): Promise<boolean> {
  const entries = await readdir(path.dirname(dir)).catch(() => [] as string[]);
  const name = path.basename(dir);
  return entries.some((entry) => {
    const folder = parseSaveFolder(entry);
    return folder !== null && folder.name === name && ownerAlive(folder.pid);
  });
}

async function version(dir: string): Promise<string> {
  const info = await stat(path.join(dir, 'manifest.json')).catch(() => null);
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'none';
}

/**
 * Run `read` on model folder `dir` so that all its files come from one save: a save swaps in a whole new
 * folder, so a read that fails while manifest.json became another file may have mixed the two checkpoints
 * (a checksum then fails): read again. (A success needs no retry: the checksums tie every file to the manifest.)
 */
export async function readConsistently<T>(dir: string, read: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    const before = await version(dir);
    try {
      return await read();
    } catch (error) {
      if (before === (await version(dir)) || i >= attempts) throw error;
    }
  }
}

/**
 * Run `load` on model folder `dir`; while a live save of it is under way (the folder is briefly gone
 * between the two renames of a swap), wait and try again rather than fail.
 */
export async function whileSaving<T>(dir: string, load: () => Promise<T>, maxWaitMs = 3000): Promise<T> {
  const end = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return await readConsistently(dir, load);
    } catch (error) {
      if (Date.now() > end || !(await saveInProgress(dir))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
