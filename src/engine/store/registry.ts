// The models on disk: list them with their health, find one by name, show lineage, clean stale saves.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { validateModelName } from './names.js';
import { ownerAlive, parseSaveFolder, recoverInterruptedSaves, saveInProgress } from './recovery.js';
import { shippedModelsDir } from './paths.js';
import { tokenizerFromJSON } from '../data/tokenizers/index.js';
import { isArch } from '../models/index.js';
import type { Manifest, TokenizerJSON } from '../types.js';

export type ModelEntry =
  | { name: string; dir: string; shipped: boolean; ok: true; manifest: Manifest; error?: undefined }
  | { name: string; dir: string; shipped: boolean; ok: false; error: string };

/** Folders that a save in progress (or an interrupted one) leaves: never models. */
export function isInProgressName(name: string): boolean {
  return name.startsWith('.') || /\.tmp/i.test(name) || /\.partial$/i.test(name);
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

class Broken extends Error {}

async function readJson(file: string, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Broken(`missing ${label}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Broken(`${label} is not valid JSON`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkManifest(raw: unknown): Manifest {
  if (!isObject(raw)) throw new Broken('manifest.json is not an object');
  if (raw.format !== 1) throw new Broken(`manifest.json has unsupported format ${JSON.stringify(raw.format)}`);
  if (!isArch(raw.arch)) throw new Broken('manifest.json has no valid arch');
  if (!isObject(raw.config) || typeof raw.config.vocabSize !== 'number') throw new Broken('manifest.json has no valid config');
  const tok = raw.tokenizer;
  if (!isObject(tok) || (tok.kind !== 'char' && tok.kind !== 'word' && tok.kind !== 'bpe') || typeof tok.vocabSize !== 'number') {
    throw new Broken('manifest.json has no valid tokenizer');
  }
  return raw as unknown as Manifest;
}

/** Bytes the weights files must hold, from model.json's weightsManifest; and the files. */
function expectedWeights(raw: unknown): { files: string[]; bytes: number } {
  if (!isObject(raw) || !Array.isArray(raw.weightsManifest)) throw new Broken('model.json has no weightsManifest');
  const files: string[] = [];
  let bytes = 0;
  for (const group of raw.weightsManifest as unknown[]) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Broken('model.json has a malformed weightsManifest');
    }
    for (const p of group.paths) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\') || p.startsWith('.')) {
        throw new Broken('model.json names a bad weights file');
      }
      files.push(p);
    }
    for (const w of group.weights as unknown[]) {
      if (!isObject(w) || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw new Broken('model.json has a weight with a bad shape');
      }
      const quantized = isObject(w.quantization) ? w.quantization.dtype : undefined;
      const per = BYTES_PER_ELEMENT[String(quantized ?? w.dtype ?? 'float32')];
      if (per === undefined) throw new Broken(`model.json has a weight of unsupported dtype ${String(w.dtype)}`);
      bytes += per * (w.shape as number[]).reduce((a, b) => a * b, 1);
    }
  }
  return { files, bytes };
}

/** model.json keeps a copy of the config: a manifest edited by hand no longer matches it. */
function checkSameConfig(manifest: Manifest, modelJson: unknown): void {
  if (!isObject(modelJson) || !isObject(modelJson.config)) return;
  const saved = modelJson.config;
  const claimed = manifest.config as unknown as Record<string, unknown>;
  const key = [...new Set([...Object.keys(saved), ...Object.keys(claimed)])].find((k) => saved[k] !== claimed[k]);
  if (key !== undefined) {
    throw new Broken(`manifest.json config does not match model.json (${key}: ${JSON.stringify(claimed[key])} vs ${JSON.stringify(saved[key])})`);
  }
}

async function checkWeights(dir: string, manifest: Manifest): Promise<void> {
  const modelJson = await readJson(path.join(dir, 'model.json'), 'model.json');
  checkSameConfig(manifest, modelJson);
  const { files, bytes } = expectedWeights(modelJson);
  if (!files.includes('weights.bin')) throw new Broken('model.json does not list weights.bin');
  let actual = 0;
  for (const file of files) {
    const info = await stat(path.join(dir, file)).catch(() => null);
    if (!info?.isFile()) throw new Broken(`missing ${file}`);
    actual += info.size;
  }
  if (actual < bytes) throw new Broken(`weights are truncated (${actual} of ${bytes} bytes)`);
  if (actual > bytes) throw new Broken(`weights are larger than model.json says (${actual}, expected ${bytes} bytes)`);
}

async function checkTokenizer(dir: string, manifest: Manifest): Promise<void> {
  const raw = await readJson(path.join(dir, 'tokenizer.json'), 'tokenizer.json');
  let size: number;
  try {
    const tokenizer = tokenizerFromJSON(raw as TokenizerJSON);
    if (tokenizer.kind !== manifest.tokenizer.kind) {
      throw new Broken(`tokenizer.json is ${tokenizer.kind} but the manifest says ${manifest.tokenizer.kind}`);
    }
    size = tokenizer.vocabSize;
  } catch (error) {
    throw error instanceof Broken ? error : new Broken((error as Error).message);
  }
  if (size !== manifest.config.vocabSize || size !== manifest.tokenizer.vocabSize) {
    throw new Broken(`tokenizer does not match the model (vocabulary ${size}, model expects ${manifest.config.vocabSize})`);
  }
}

/** Check one model folder; a one-line reason when it cannot be used. */
export async function inspectModel(dir: string, shipped = false): Promise<ModelEntry> {
  const name = path.basename(dir);
  try {
    const manifest = checkManifest(await readJson(path.join(dir, 'manifest.json'), 'manifest.json'));
    await checkWeights(dir, manifest);
    await checkTokenizer(dir, manifest);
    return { name, dir, shipped, ok: true, manifest };
  } catch (error) {
    const message = error instanceof Broken ? error.message : `cannot read: ${(error as Error).message.split('\n')[0]}`;
    return { name, dir, shipped, ok: false, error: message };
  }
}

async function modelFolders(modelsDir: string): Promise<string[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !isInProgressName(e.name))
    .map((e) => e.name)
    .sort();
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
    for (const name of await modelFolders(modelsDir)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(await inspectModel(path.join(modelsDir, name), shipped));
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
    const removed = await cleanupStaleTemp(modelsDir);
    if (removed.length > 0) lines.push(`removed ${removed.length} unfinished save folder(s) left by an interrupted run in ${modelsDir}`);
  } catch (error) {
    lines.push(`could not tidy ${modelsDir}: ${(error as Error).message.split('\n')[0]}`);
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
