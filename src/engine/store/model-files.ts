// Reading the files of a model folder. A folder may come from someone else, so a file is opened only when
// it is a plain name inside the folder and a regular file: no `..`, no absolute path, no symlink (O_NOFOLLOW),
// no fifo or device (opened non-blocking, then fstat'ed, so a fifo named manifest.json cannot hang a listing).
import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/** A problem with one model file; the message is one line and names the file. */
export class ModelFileError extends Error {}

/** JSON files are small; a huge one is a corruption, not something to read into memory. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** A file name a model may refer to: one plain name, no folders, not hidden. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(name) && !name.includes('..');
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of `file` in model folder `dir`; throws a ModelFileError naming the file when it is missing,
 * not a plain name, a symlink, not a regular file, or larger than `maxBytes`.
 */
export async function readModelFile(dir: string, file: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
  if (!isPlainFileName(file)) throw new ModelFileError(`refers to ${JSON.stringify(String(file)).slice(0, 60)}, which is not a file inside the model folder`);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(dir, file), OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelFileError(`missing ${file}`);
    if (code === 'ELOOP' || code === 'EMLINK') throw new ModelFileError(`${file} is a symbolic link (model files must be regular files inside the folder)`);
    throw new ModelFileError(`cannot read ${file} (${code ?? (error as Error).message})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ModelFileError(`${file} is not a regular file`);
    if (info.size > maxBytes) throw new ModelFileError(`${file} is too large (${info.size} bytes)`);
    return await handle.readFile();
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    await handle.close();
  }
}

/** Size of a model file, with the same rules as readModelFile (for cheap checks that do not read it). */
export async function modelFileSize(dir: string, file: string): Promise<number> {
  if (!isPlainFileName(file)) throw new ModelFileError(`refers to ${JSON.stringify(String(file)).slice(0, 60)}, which is not a file inside the model folder`);
  const info = await fs.lstat(path.join(dir, file)).catch(() => null);
  if (!info) throw new ModelFileError(`missing ${file}`);
  if (info.isSymbolicLink()) throw new ModelFileError(`${file} is a symbolic link (model files must be regular files inside the folder)`);
  if (!info.isFile()) throw new ModelFileError(`${file} is not a regular file`);
  return info.size;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Throws when `data` does not have the checksum the manifest recorded for `file` (none recorded: an older save, accepted). */
export function verifyChecksum(file: string, data: Uint8Array, checksums: Record<string, string> | undefined): void {
  const expected = checksums?.[file];
  if (expected === undefined) return;
  if (sha256(data) !== expected) throw new ModelFileError(`${file} does not match its checksum in manifest.json (changed or corrupted since it was saved)`);
}
