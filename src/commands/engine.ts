// The commands' door to the engine. Imports are lazy so `inkling --help` and the chat's Tab completion
// do not load TensorFlow.js, and tests mock this one module.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import { validateModelName } from '../engine/store/names.js';
import type { CommandContext } from './types.js';
import { CommandError } from './types.js';
import { quote, suggest, UsageError } from './args.js';

/** Where models are looked up: the user's models folder, then the shipped ones (de-duplicated). */
export async function searchDirs(modelsDir: string): Promise<string[]> {
  const { shippedModelsDir } = await import('../engine/store/paths.js');
  const dirs = [path.resolve(modelsDir), path.resolve(shippedModelsDir())];
  return [...new Set(dirs)];
}

export async function listModelEntries(ctx: CommandContext) {
  const { listModels } = await import('../engine/store/registry.js');
  return listModels(await searchDirs(ctx.modelsDir));
}

/** Healthy model names, for completion and suggestions; never throws. */
export async function modelNames(ctx: CommandContext): Promise<string[]> {
  try {
    const entries = await listModelEntries(ctx);
    return entries.filter((e) => e.ok).map((e) => e.name);
  } catch {
    return [];
  }
}

export async function corpusNames(): Promise<string[]> {
  try {
    const { listCorpora } = await import('../engine/data/corpus.js');
    return listCorpora().map((c) => c.name);
  } catch {
    return [];
  }
}

export async function presetNames(): Promise<string[]> {
  try {
    const { listPresets } = await import('../engine/models/presets.js');
    return listPresets().map((p) => p.name);
  } catch {
    return [];
  }
}

/** Find a model by name in the search dirs; a one-line CommandError (with a suggestion) when missing. */
export async function findModelDir(ctx: CommandContext, name: string): Promise<string> {
  const { findModel } = await import('../engine/store/registry.js');
  try {
    return await findModel(await searchDirs(ctx.modelsDir), name);
  } catch (error) {
    const near = suggest(name, await modelNames(ctx));
    throw new CommandError(firstLine(error) + (near ? ` — did you mean ${near}?` : ''));
  }
}

export async function loadModelByName(ctx: CommandContext, name: string): Promise<LoadedModel> {
  const dir = await findModelDir(ctx, name);
  await ctx.prepareEngine?.();
  const { loadModel } = await import('../engine/store/checkpoint.js');
  try {
    return await loadModel(dir);
  } catch (error) {
    throw new CommandError(`cannot load model ${name}: ${firstLine(error)}`);
  }
}

/** A safe model name (no paths, no reserved names), or a one-line CommandError. */
export function checkModelName(name: string): string {
  try {
    return validateModelName(name);
  } catch (error) {
    throw new CommandError(firstLine(error));
  }
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'unknown error';
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
