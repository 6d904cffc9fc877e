// STUB: signatures fixed; implementation in progress.
import type { LanguageModel, Manifest, Tokenizer } from './types.js';

export interface LoadedModel {
  name: string;
  dir: string;
  manifest: Manifest;
  model: LanguageModel;
  tokenizer: Tokenizer;
  dispose(): void;
}

/**
 * Load a model folder (weights, tokenizer, manifest); find it by name with registry.findModel.
 * Throws an Error with a one-line message.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  throw new Error(`not implemented: loadModel(${dir})`);
}

/** Read only the manifest (fast, for listings). */
export async function readManifest(dir: string): Promise<Manifest> {
  throw new Error(`not implemented: readManifest(${dir})`);
}
