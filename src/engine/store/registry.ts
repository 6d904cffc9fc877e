// The models on disk: list them with their health, find one by name, show lineage, clean stale saves.
import { firstLine } from '../first-line.js';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { validateModelName } from './names.js';
import { isLiveSwap, ownerAlive, parseSaveFolder, recoverInterruptedSaves, saveInProgress, whileSaving } from './recovery.js';
import { ModelFileError } from './model-files.js';
import { clearDeadLocks } from './lock.js';
import { checkWeightsBinCheaply, readManifestAt, readTokenizerAt, readWeightsJson } from './read-folder.js';
import { modelSearchDirs, shippedModelsDir } from './paths.js';
import type { Manifest } from '../types.js';

export type ModelEntry =
  | { name: string; dir: string; shipped: boolean; ok: true; manifest: Manifest; error?: undefined }
  | { name: string; dir: string; shipped: boolean; ok: false; error: string; saving?: boolean };

/** Folders that a save in progress (or an interrupted one) leaves: never models. */
export function isInProgressName(name: string): boolean {
  return name.startsWith('.') || /\.tmp/i.test(name) || /\.partial$/i.test(name);
}

/**
 * Check one model folder without building it: the manifest's schema, model.json's schema, checksum and
 * config, the weights' size (and checksum when small: read-folder.ts), the tokenizer. A one-line reason
 * when it cannot be used. A save of this model in progress is waited for, then reported as "saving".
 */
export async function inspectModel(dir: string, shipped = false, name = path.basename(dir)): Promise<ModelEntry> {
  try {
    const manifest = await whileSaving(dir, async () => {
      const read = await readManifestAt(dir);
      await checkWeightsBinCheaply(dir, read, await readWeightsJson(dir, read, 'model.json'));
      // A LoRA variant keeps no tokenizer: it needs its base instead.
      if (read.lora) await findModel(modelSearchDirs(path.dirname(dir)), read.parent!).catch(() => {
        throw new ModelFileError(`LoRA adapter on '${read.parent}', which is missing`);
      });
      else await readTokenizerAt(dir, read);
      return read;
    });
    return { name, dir, shipped, ok: true, manifest };
  } catch (error) {
    if (await saveInProgress(dir)) return { name, dir, shipped, ok: false, saving: true, error: 'saving (a training run is writing it)' };
    const message = error instanceof ModelFileError ? error.message : `cannot read: ${firstLine(error)}`;
    return { name, dir, shipped, ok: false, error: message };
  }
}

/**
 * Model folders by name. Between the two renames of a live save, NAME is missing and its previous
 * checkpoint sits in `.NAME.old-*`: that one stands in for it, so a listing never loses the model.
 */
async function modelFolders(modelsDir: string): Promise<{ name: string; dirs: string[] }[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  const found = new Map<string, string[]>();
  for (const e of entries) {
    if (e.isDirectory() && !isInProgressName(e.name)) found.set(e.name, [path.join(modelsDir, e.name)]);
  }
  for (const e of entries) {
    const save = parseSaveFolder(e.name);
    if (!e.isDirectory() || save?.kind !== 'old' || found.has(save.name) || !isLiveSwap(save)) continue;
    found.set(save.name, [path.join(modelsDir, e.name), path.join(modelsDir, save.name)]);
  }
  return [...found.entries()].map(([name, dirs]) => ({ name, dirs })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Every model folder in the given folders, healthy or not. When a name appears in several folders the
 * first folder wins (pass the user's folder before the shipped one). `shipped` marks models found in
 * the package's own models folder.
 */
export async function listModels(modelsDirs: string[]): Promise<ModelEntry[]> {
  const shippedDir = path.resolve(shippedModelsDir());
  const seen = new Set<string>();
  const out: ModelEntry[] = [];
  for (const modelsDir of modelsDirs) {
    const shipped = path.resolve(modelsDir) === shippedDir;
    for (const { name, dirs } of await modelFolders(modelsDir)) {
      if (seen.has(name)) continue;
      seen.add(name);
      // A set-aside previous checkpoint first; once the save has moved on, the new folder.
      let entry = await inspectModel(dirs[0]!, shipped, name);
      if (!entry.ok && dirs.length > 1) entry = await inspectModel(dirs[1]!, shipped, name);
      out.push({ ...entry, dir: path.join(modelsDir, name) });
    }
  }
  return out;
}

/** The folder of model `name` in the first models folder that has it. */
export async function findModel(modelsDirs: string[], name: string): Promise<string> {
  validateModelName(name);
  for (const modelsDir of modelsDirs) {
    const dir = path.join(modelsDir, name);
    const info = await stat(dir).catch(() => null);
    if (info?.isDirectory()) return dir;
    // Missing only for the instant a live save swaps it (loadModel waits), or since a killed save.
    if (await saveInProgress(dir)) return dir;
    if ((await recoverInterruptedSaves(modelsDir)).includes(name)) return dir;
  }
  throw new ModelNotFoundError(name);
}

/** No folder of that name: callers add the pointer and suggestion their scope needs. */
export class ModelNotFoundError extends Error {
  constructor(readonly modelName: string) {
    super(`model '${modelName}' not found (inkling models lists them)`);
  }
}

/**
 * Remove in-progress save folders left by a killed save: those of a process that is gone, and any older
 * than `maxAgeMs`; returns their paths.
 * A set-aside `.NAME.old-*` is kept while NAME is missing (checkpoint's recovery puts it back).
 */
export async function cleanupStaleTemp(modelsDir: string, maxAgeMs = 10 * 60 * 1000, now = Date.now()): Promise<string[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !isInProgressName(e.name) || e.name === '.git') continue;
    const dir = path.join(modelsDir, e.name);
    // `.NAME.old-*` without NAME is the last good copy of an interrupted swap: recovery, not cleanup.
    const aside = /^\.(.+)\.old-[\w-]*$/.exec(e.name);
    if (aside && !(await stat(path.join(modelsDir, aside[1]!)).catch(() => null))) continue;
    const info = await stat(dir).catch(() => null);
    if (!info) continue;
    // Our own save folders name their process: once it is gone, nobody will finish them.
    const save = parseSaveFolder(e.name);
    const orphaned = save !== null && !ownerAlive(save.pid);
    if (!orphaned && now - info.mtimeMs < maxAgeMs) continue;
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(dir),
      () => undefined,
    );
  }
  return removed;
}

/** Hidden folders of saves in progress (or interrupted), which listings skip. */
export async function inProgressSaves(modelsDir: string): Promise<string[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && parseSaveFolder(e.name) !== null).map((e) => e.name).sort();
}

/**
 * Run at start (CLI and chat), before listing: put back models whose save was killed mid-swap, then
 * remove what killed saves left. Returns one line per thing done, for the caller to show.
 */
export async function tidyModelsDir(modelsDir: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for (const name of await recoverInterruptedSaves(modelsDir)) {
      lines.push(`recovered model ${name}: its last save was interrupted, so the previous checkpoint is back`);
    }
    await clearDeadLocks(modelsDir);
    const removed = await cleanupStaleTemp(modelsDir);
    if (removed.length > 0) lines.push(`removed ${removed.length} unfinished save folder(s) left by an interrupted run in ${modelsDir}`);
  } catch (error) {
    lines.push(`could not tidy ${modelsDir}: ${firstLine(error)}`);
  }
  return lines;
}

/** Parent/child lineage of the healthy models as indented tree lines: `base`, then `└─ variant`. */
export function lineageTree(entries: readonly ModelEntry[]): string[] {
  const models = entries.filter((e): e is Extract<ModelEntry, { ok: true }> => e.ok);
  const names = new Set(models.map((m) => m.name));
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const m of models) {
    const parent = m.manifest.parent;
    if (parent && parent !== m.name && names.has(parent)) {
      children.set(parent, [...(children.get(parent) ?? []), m.name]);
    } else roots.push(m.name);
  }
  const lines: string[] = [];
  const visited = new Set<string>();
  const walk = (name: string, prefix: string, branch: string) => {
    visited.add(name);
    lines.push(prefix + branch + name);
    const kids = (children.get(name) ?? []).filter((k) => !visited.has(k));
    const under = prefix + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    kids.forEach((kid, i) => walk(kid, under, i === kids.length - 1 ? '└─ ' : '├─ '));
  };
  for (const root of roots) walk(root, '', '');
  // Hand-edited parents can form a cycle with no root: still show every model once.
  for (const m of models) if (!visited.has(m.name)) walk(m.name, '', '');
  return lines;
}
