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

/** Load `modelsDir/name` (weights, tokenizer, manifest). Throws Error with a one-line message. */
export async function loadModel(modelsDir: string, name: string): Promise<LoadedModel> {
  throw new Error(`not implemented: loadModel(${modelsDir}, ${name})`);
}

/** Read only the manifest (fast, for listings). */
export async function readManifest(modelsDir: string, name: string): Promise<Manifest> {
  throw new Error(`not implemented: readManifest(${modelsDir}, ${name})`);
}
