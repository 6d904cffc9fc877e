// `inkling quantize NAME --name NEW`: an int8 (q8) variant of a model, saved as a new model in its lineage.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { namedTensors } from '../models/index.js';
import { quantizeModel } from '../models/quantize.js';
import { loadModel, saveCheckpoint } from './checkpoint.js';
import { merged } from './lora-variant.js';
import { modelExistsMessage, validateModelName } from './names.js';

export interface QuantizeResult {
  name: string;
  dir: string;
  /** Weight bytes before and after. */
  bytes: { before: number; after: number };
}

const byteSize = (weights: readonly { variable: { size: number } }[]) => weights.reduce((n, w) => n + w.variable.size * 4, 0);

export async function quantizeToVariant(sourceDir: string, modelsDir: string, newName: string, command?: string): Promise<QuantizeResult> {
  const name = validateModelName(newName);
  const target = path.join(modelsDir, name);
  if (await fs.stat(target).catch(() => null)) throw new Error(modelExistsMessage(name, false));
  const loaded = await loadModel(sourceDir);
  try {
    // A LoRA variant is quantized with its adapters merged in.
    const q8 = await quantizeModel(merged(loaded).model);
    try {
      const now = new Date().toISOString();
      const { checksums: _drop, finetune: _none, lora: _lora, ...base } = loaded.manifest as typeof loaded.manifest & { checksums?: unknown };
      void _drop;
      void _none;
      const manifest = {
        ...base,
        name,
        config: q8.config,
        parent: loaded.name,
        history: [],
        bestValLoss: loaded.manifest.bestValLoss,
        params: q8.parameterCount(),
        createdAt: now,
        updatedAt: now,
        ...(command ? { command } : {}),
      };
      await saveCheckpoint(target, { manifest, tokenizer: loaded.tokenizer, bestWeights: namedTensors(q8) });
      return { name, dir: target, bytes: { before: byteSize(loaded.model.weights), after: byteSize(q8.weights) } };
    } finally {
      q8.dispose();
    }
  } finally {
    loaded.dispose();
  }
}
