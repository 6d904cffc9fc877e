// `inkling merge VARIANT --name NEW`: a LoRA variant's adapters folded into its base's weights, saved as a
// full model (a child of the variant in the lineage). It decodes at the base's speed, and can be exported,
// quantized or fine-tuned again like any model.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { namedTensors } from '../models/index.js';
import { loadModel, saveCheckpoint } from './checkpoint.js';
import { merged } from './lora-variant.js';
import { modelExistsMessage, validateModelName } from './names.js';
import type { Manifest } from '../types.js';

export async function mergeToModel(sourceDir: string, modelsDir: string, newName: string, command?: string): Promise<{ name: string; dir: string; params: number }> {
  const name = validateModelName(newName);
  const target = path.join(modelsDir, name);
  if (await fs.stat(target).catch(() => null)) throw new Error(modelExistsMessage(name, false));
  const loaded = await loadModel(sourceDir);
  try {
    if (!loaded.manifest.lora) throw new Error(`${loaded.name} is not a LoRA variant: there are no adapters to merge`);
    const full = merged(loaded).model;
    const { checksums: _sums, lora: _lora, ...rest } = loaded.manifest;
    const now = new Date().toISOString();
    const manifest: Manifest = { ...rest, name, parent: loaded.name, params: full.parameterCount(), createdAt: now, updatedAt: now, ...(command ? { command } : {}) };
    await saveCheckpoint(target, { manifest, tokenizer: loaded.tokenizer, bestWeights: namedTensors(full) });
    return { name, dir: target, params: manifest.params };
  } finally {
    loaded.dispose();
  }
}
