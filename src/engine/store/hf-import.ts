// `inkling import DIR` (and the end of `pull`): a Hugging Face GPT-2 folder becomes an ordinary Inkling model
// folder (manifest, model.json + weights.bin in float32, tokenizer.json), saved through saveCheckpoint's temp
// folder and rename, so a failed import leaves nothing in the models list. README "Pretrained models" says why
// Inkling converts instead of keeping the safetensors.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeShape, namedTensors } from '../models/index.js';
import { buildHfModel, readHfFolder, HF_FILES } from './hf-folder.js';
import { saveCheckpoint } from './checkpoint.js';
import { modelExistsMessage, validateModelName } from './names.js';
import type { Manifest, TrainConfig } from '../types.js';

export interface HfSource {
  /** Hub repository (pull) or null (a local folder). */
  repo: string | null;
  revision: string | null;
  /** Where the files were read from. */
  path: string;
  license: string | null;
  /** config.json as it was. */
  config: Record<string, unknown>;
}

declare module '../types.js' {
  interface Manifest {
    /** Pretrained models: where the weights came from (and what config they had). */
    source?: HfSource;
  }
}

/**
 * Fine-tuning reports what a variant forgot on its base's corpus; a pretrained base's own corpus is not here, so
 * English prose from data/gutenberg stands in for it (and for a base that learnt from conversations, finetune.ts).
 */
export const STAND_IN_CORPUS = 'gutenberg';

/**
 * Fine-tuning settings a pretrained base hands its variants (fine-tune scales the rate by 0.1, giving nanoGPT's
 * 3e-5 for finetune_shakespeare); the short window keeps activations small (see the README's memory table).
 */
function pretrainedTrainConfig(contextLength: number): TrainConfig {
  return {
    batchSize: 4,
    seqLength: Math.min(128, contextLength),
    learningRate: 3e-4,
    minLearningRate: 3e-5,
    warmupSteps: 0,
    decaySteps: 0,
    weightDecay: 0.1,
    beta1: 0.9,
    beta2: 0.95,
    gradClip: 1,
    evalInterval: 50,
    evalBatches: 4,
  };
}

/** The license named in a model card's YAML front matter (`license: mit`). */
export async function cardLicense(dir: string): Promise<string | null> {
  const card = await fs.readFile(path.join(dir, HF_FILES.card), 'utf8').catch(() => '');
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(card)?.[1] ?? '';
  return /^license:\s*["']?([^"'\r\n]+?)["']?\s*$/m.exec(front)?.[1] ?? null;
}

/** A model name from a folder or repo id: its last part, made safe (gpt2, distilgpt2, tiny-gpt2). */
export function defaultName(from: string): string {
  const last = from.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const safe = last.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 64);
  return safe || 'pretrained';
}

export interface ImportRequest {
  dir: string;
  modelsDir: string;
  name?: string;
  repo?: string | null;
  revision?: string | null;
  /** What the manifest records as the source path (pull: the hub URL; default: the folder). */
  location?: string;
  command?: string;
}

export interface ImportResult {
  name: string;
  dir: string;
  params: number;
  describe: string;
}

export async function importHfModel(request: ImportRequest): Promise<ImportResult> {
  const name = validateModelName(request.name ?? defaultName(request.repo ?? request.dir));
  const target = path.join(request.modelsDir, name);
  if (await fs.stat(target).catch(() => null)) throw new Error(modelExistsMessage(name, false));
  const stat = await fs.stat(request.dir).catch(() => null);
  if (!stat?.isDirectory()) throw new Error(`${request.dir} is not a folder: give a Hugging Face model folder (config.json, model.safetensors, tokenizer files)`);
  const folder = await readHfFolder(request.dir);
  const model = await buildHfModel(folder);
  try {
    const now = new Date().toISOString();
    const params = model.parameterCount();
    const manifest: Manifest = {
      format: 1,
      name,
      arch: folder.config.arch,
      config: folder.config,
      train: pretrainedTrainConfig('contextLength' in folder.config ? folder.config.contextLength : 1024),
      tokenizer: { kind: 'bpe', vocabSize: folder.tokenizer.vocabSize },
      corpus: { name: STAND_IN_CORPUS, trainTokens: 0, valTokens: 0 },
      parent: null,
      step: 0,
      bestValLoss: null,
      history: [],
      params,
      backend: 'pretrained',
      wallSeconds: 0,
      seed: 0,
      ...(request.command ? { command: request.command } : {}),
      source: {
        repo: request.repo ?? null,
        revision: request.revision ?? null,
        path: request.location ?? path.resolve(request.dir),
        license: await cardLicense(request.dir),
        config: folder.original,
      },
      createdAt: now,
      updatedAt: now,
    };
    // The live variables go straight to the save: no second copy of the weights.
    await saveCheckpoint(target, { manifest, tokenizer: folder.tokenizer, bestWeights: namedTensors(model) });
    return { name, dir: target, params, describe: describeShape(folder.config) };
  } finally {
    model.dispose();
  }
}
