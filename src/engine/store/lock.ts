// One run per model name at a time: a training or fine-tuning run holds `.NAME.lock` in the models folder for
// its whole length (proper-lockfile: an atomic mkdir, its mtime refreshed while held), with `.NAME.lock.owner`
// saying which process on which host holds it. A lock whose owner died on this host is taken over at once;
// one from elsewhere once it has not been refreshed for STALE_MS. No tfjs here: the main thread takes it.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ownerAlive } from './recovery.js';

export const STALE_MS = 30_000;

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/** The second run of a name is refused with this (one line, naming the running process). */
export class ModelLockedError extends Error {}

const lockPath = (modelsDir: string, name: string) => path.join(modelsDir, `.${name}.lock`);
const ownerPath = (modelsDir: string, name: string) => `${lockPath(modelsDir, name)}.owner`;

export async function readLockOwner(modelsDir: string, name: string): Promise<LockOwner | null> {
  try {
    const raw = JSON.parse(await readFile(ownerPath(modelsDir, name), 'utf8')) as Partial<LockOwner>;
    return typeof raw.pid === 'number' && typeof raw.host === 'string' ? { pid: raw.pid, host: raw.host, startedAt: String(raw.startedAt ?? '') } : null;
  } catch {
    return null;
  }
}

async function tryLock(modelsDir: string, name: string, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  // The model folder (which need not exist yet) keys proper-lockfile's per-process table: one entry per name.
  return lockfile.lock(path.join(modelsDir, name), { lockfilePath: lockPath(modelsDir, name), realpath: false, stale: STALE_MS, retries: 0, onCompromised });
}

/**
 * Take the lock of model `name` in `modelsDir`; resolves with its release. Throws a ModelLockedError naming the
 * running process when another live run holds it. `onLost` hears if the lock is taken away meanwhile
 * (its refresh failed for STALE_MS): the run should then stop rather than overwrite another's save.
 */
export async function lockModel(modelsDir: string, name: string, onLost: (error: Error) => void = () => {}): Promise<() => Promise<void>> {
  let release: () => Promise<void>;
  await mkdir(modelsDir, { recursive: true });
  try {
    release = await tryLock(modelsDir, name, onLost);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw new Error(`cannot lock model ${name} in ${modelsDir}: ${(error as Error).message}`);
    const owner = await readLockOwner(modelsDir, name);
    // A run killed on this host leaves its lock fresh for up to STALE_MS: its pid says it is gone.
    if (owner && owner.host === hostname() && !ownerAlive(owner.pid)) {
      await rm(lockPath(modelsDir, name), { recursive: true, force: true });
      return lockModel(modelsDir, name, onLost);
    }
    const who = owner ? `process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}` : 'another process';
    throw new ModelLockedError(`model ${name} is in use by a training run (${who}): wait for it to finish, or choose another --name`);
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(ownerPath(modelsDir, name), JSON.stringify(owner) + '\n');
  return async () => {
    await rm(ownerPath(modelsDir, name), { force: true });
    await release().catch(() => undefined);
  };
}

/**
 * Remove the locks that runs killed on this host left (their pid is gone), and lock folders nobody has refreshed
 * for STALE_MS; returns the model names. Run at start with the rest of the tidying (registry.tidyModelsDir).
 */
export async function clearDeadLocks(modelsDir: string, now = Date.now()): Promise<string[]> {
  const entries = await readdir(modelsDir).catch(() => [] as string[]);
  const cleared: string[] = [];
  for (const entry of entries) {
    const match = /^\.(.+)\.lock(\.owner)?$/.exec(entry);
    if (!match || (match[2] && entries.includes(`.${match[1]}.lock`))) continue;
    const name = match[1]!;
    const owner = await readLockOwner(modelsDir, name);
    const info = await stat(path.join(modelsDir, entry)).catch(() => null);
    const dead = owner ? owner.host === hostname() && !ownerAlive(owner.pid) : info !== null && now - info.mtimeMs > STALE_MS;
    if (!dead) continue;
    await rm(lockPath(modelsDir, name), { recursive: true, force: true });
    await rm(ownerPath(modelsDir, name), { force: true });
    cleared.push(name);
  }
  return cleared;
}
