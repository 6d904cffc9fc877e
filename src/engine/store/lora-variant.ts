// A LoRA variant's folder holds its adapters and manifest only: loading it loads its base (the manifest's
// parent, found in the same search folders) and puts the adapters on. The base must be the one the adapters
// were trained on: its weights' checksum is recorded, and a changed base is refused rather than silently
// giving another model. Merging folds the adapters into the base's weights (inkling merge, export, quantize).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { assignWeights } from '../models/index.js';
import { LoraModel, adapterParameterCount, isAdaptable } from '../models/lora.js';
import { modelSearchDirs } from './paths.js';
import { findModel } from './registry.js';
import type { LoadedModel } from './checkpoint.js';
import type { Manifest } from '../types.js';

/** The folder of a LoRA variant's base. */
export async function baseDirOf(dir: string, manifest: Manifest): Promise<string> {
  const parent = manifest.parent!;
  try {
    return await findModel(modelSearchDirs(path.dirname(dir)), parent);
  } catch {
    throw new Error(`model '${path.basename(dir)}' is a LoRA adapter on '${parent}', which is missing`);
  }
}

/** What the adapter recorded of its base, checked against the base as loaded. */
export function checkBase(name: string, manifest: Manifest, base: LoadedModel): void {
  const info = manifest.lora!;
  if (base.manifest.lora) throw new Error(`model '${name}': its base '${base.name}' is itself a LoRA adapter (merge it first: inkling merge)`);
  const now = base.manifest.checksums?.['weights.bin'];
  if (info.baseWeights && now && info.baseWeights !== now) {
    throw new Error(`model '${name}': its base '${base.name}' has changed since the adapter was trained (different weights)`);
  }
}

/** `base` with the saved adapters on: the variant as a LoadedModel that owns (and frees) the base. */
export function withAdapters(dir: string, manifest: Manifest, base: LoadedModel, adapters: Record<string, tf.Tensor>): LoadedModel {
  const name = path.basename(dir);
  const info = manifest.lora!;
  if (!isAdaptable(base.model)) throw new Error(`model '${name}': its base '${base.name}' (${base.manifest.arch}) does not take LoRA adapters`);
  // Count before building, so a hand-edited rank never allocates adapters far too big.
  const saved = Object.values(adapters).reduce((n, t) => n + t.size, 0);
  const wanted = adapterParameterCount(base.model.adapterTargets(), info.rank);
  if (saved !== wanted) throw new Error(`model '${name}': the adapters in weights.bin do not match rank ${info.rank} on '${base.name}' (${saved} values, ${wanted} expected)`);
  const model = new LoraModel(base.model, { rank: info.rank, alpha: info.alpha, dropout: info.dropout }, manifest.seed ?? 0);
  try {
    assignWeights(model, adapters);
  } catch (error) {
    model.dispose();
    throw new Error(`model '${name}': ${(error as Error).message}`);
  }
  return { name, dir, manifest, model, tokenizer: base.tokenizer, dispose: () => model.dispose() };
}

/** A loaded model with any adapters folded into its weights (a plain model is returned as it is). */
export function merged(loaded: LoadedModel): LoadedModel {
  if (!(loaded.model instanceof LoraModel)) return loaded;
  const model = loaded.model.mergeIntoBase();
  return { ...loaded, model, dispose: () => model.dispose() };
}
