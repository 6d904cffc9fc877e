// The commands' door to the model store: list, find and load models by name. Imports are lazy so
// `inkling --help` and the chat's Tab completion do not load TensorFlow.js, and tests mock this one module.
import type { LoadedModel } from '../engine/store/checkpoint.js';
import type { Arch } from '../engine/types.js';
import { firstLine } from '../engine/first-line.js';
import { validateModelName } from '../engine/store/names.js';
import { modelSearchDirs } from '../engine/store/paths.js';
import type { CommandContext, Scope } from './types.js';
import { CommandError } from './types.js';
import { suggest } from './args.js';

export async function listModelEntries(ctx: CommandContext) {
  const { listModels } = await import('../engine/store/registry.js');
  return listModels(modelSearchDirs(ctx.modelsDir));
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

/** Preset names, of one architecture when `arch` names one. */
export async function presetNames(arch?: string): Promise<string[]> {
  try {
    const { listPresets } = await import('../engine/models/presets.js');
    const known = listPresets().some((p) => p.arch === arch);
    return [...new Set(listPresets(known ? (arch as Arch) : undefined).map((p) => p.name))];
  } catch {
    return [];
  }
}

/** A missing model in one line, with a close name, pointing to the list in the words of where it was asked. */
export function missingModel(name: string, known: readonly string[], scope: Scope): string {
  const near = suggest(name, known);
  const list = scope === 'chat' ? '/models lists them' : 'inkling models lists them';
  return `model '${name}' not found` + (near ? ` (did you mean ${near}?)` : '') + ` — ${list}`;
}

/** Find a model by name in the search dirs; a one-line CommandError (with a suggestion) when missing. */
export async function findModelDir(ctx: CommandContext, name: string): Promise<string> {
  const { findModel, ModelNotFoundError } = await import('../engine/store/registry.js');
  try {
    return await findModel(modelSearchDirs(ctx.modelsDir), name);
  } catch (error) {
    if (!(error instanceof ModelNotFoundError)) throw new CommandError(firstLine(error));
    throw new CommandError(missingModel(name, await modelNames(ctx), ctx.chat ? 'chat' : 'cli'));
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
