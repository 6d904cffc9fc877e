// One folder per model (nanoGPT's idea: everything needed to sample, resume or fine-tune):
//   manifest.json   what the model is and how it was trained (written last)
//   model.json      arch, config and the weights manifest; weights.bin: best-validation weights
//   tokenizer.json
//   optimizer.json + optimizer.bin   latest weights and AdamW slots, for --resume (optional)
// Saves go to a hidden temp folder that is renamed into place, so a kill never leaves a half model.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { assignWeights, countParameters, createModel } from '../models/index.js';
import { decodeTensors, encodeTensors } from './weights.js';
import { whileSaving } from './recovery.js';
import { sha256 } from './model-files.js';
import { baseDirOf, checkBase, withAdapters } from './lora-variant.js';
import { checkFinite, modelError, readManifestAt, readTokenizerAt, readWeightsBin, readWeightsJson, type WeightsJsonFile } from './read-folder.js';
import type { LanguageModel, Manifest, Tokenizer } from '../types.js';

export interface LoadedModel {
  name: string;
  dir: string;
  manifest: Manifest;
  model: LanguageModel;
  tokenizer: Tokenizer;
  dispose(): void;
}

export interface OptimizerSnapshot {
  step: number;
  tensors: Record<string, tf.Tensor>;
}

export interface CheckpointContents {
  manifest: Manifest;
  tokenizer: Tokenizer;
  /** The best-validation weights: what sampling, eval and fine-tuning use. */
  bestWeights: Record<string, tf.Tensor>;
  /** The latest weights and optimizer state, to resume exactly where training stopped. */
  resume?: { weights: Record<string, tf.Tensor>; optimizer: OptimizerSnapshot };
  /** Other text files the model keeps (the pasted text of a fine-tune, so it can resume). */
  files?: Record<string, string>;
}

/** Where a fine-tune made from pasted text (`--text`) keeps that text. */
export const FINETUNE_TEXT_FILE = 'finetune-text.txt';

export interface ResumeState {
  manifest: Manifest;
  /** null for a LoRA variant (it uses its base's). */
  tokenizer: Tokenizer | null;
  weights: Record<string, tf.Tensor>;
  optimizer: OptimizerSnapshot;
}

const WEIGHTS_PREFIX = 'weights/';

export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const parent = path.dirname(dir);
  const name = path.basename(dir);
  await fs.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${name}.tmp-${process.pid}-${Date.now()}`);
  await fs.mkdir(tmp);
  try {
    const best = await encodeTensors(contents.bestWeights);
    const { manifest } = contents;
    // Every file's SHA-256 goes into the manifest, written last: a later change to any of them is caught at load.
    const checksums: Record<string, string> = {};
    const write = async (file: string, data: string | Uint8Array) => {
      checksums[file] = sha256(data);
      await writeFileSynced(path.join(tmp, file), data);
    };
    await write('model.json', JSON.stringify({ format: 'inkling-model/1', arch: manifest.arch, config: manifest.config, weightsManifest: [{ paths: ['weights.bin'], weights: best.specs }] }));
    await write('weights.bin', new Uint8Array(best.data));
    // A LoRA variant uses its base's tokenizer (lora-variant.ts).
    if (!manifest.lora) await write('tokenizer.json', JSON.stringify(contents.tokenizer.toJSON()));
    if (contents.resume) {
      const tensors: Record<string, tf.Tensor> = { ...contents.resume.optimizer.tensors };
      for (const [key, t] of Object.entries(contents.resume.weights)) tensors[WEIGHTS_PREFIX + key] = t;
      const state = await encodeTensors(tensors);
      await write('optimizer.json', JSON.stringify({ format: 'inkling-optimizer/1', step: contents.resume.optimizer.step, weightsManifest: [{ paths: ['optimizer.bin'], weights: state.specs }] }));
      await write('optimizer.bin', new Uint8Array(state.data));
    }
    for (const [file, text] of Object.entries(contents.files ?? {})) await write(file, text);
    await writeFileSynced(path.join(tmp, 'manifest.json'), JSON.stringify({ ...manifest, checksums }, null, 2) + '\n');
    await swapIntoPlace(tmp, dir);
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Test hook: runs between a save's two renames (the old folder moved aside, the new one not yet in place). */
export const saveHooks: { betweenRenames?: (dir: string) => Promise<void> } = {};

/** Replace `dir` by `tmp`: move the old folder aside, move the new one in, then delete the old. */
async function swapIntoPlace(tmp: string, dir: string): Promise<void> {
  const old = path.join(path.dirname(dir), `.${path.basename(dir)}.old-${process.pid}-${Date.now()}`);
  const hadOld = await exists(dir);
  if (hadOld) await fs.rename(dir, old);
  await saveHooks.betweenRenames?.(dir);
  await fs.rename(tmp, dir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

// Putting back a model whose save was killed mid-swap lives in recovery.ts (no tfjs there).
export { recoverInterruptedSaves } from './recovery.js';

async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Read only the manifest (fast, for listings), checked against its schema. */
export async function readManifest(dir: string): Promise<Manifest> {
  try {
    return await readManifestAt(dir);
  } catch (error) {
    throw modelError(dir, error);
  }
}

/** The tensors of model.json or optimizer.json, after the schema, checksum, size and finite-value checks. */
async function readTensors(dir: string, manifest: Manifest, jsonFile: WeightsJsonFile): Promise<{ json: Record<string, unknown>; tensors: Record<string, tf.Tensor> }> {
  try {
    const group = await readWeightsJson(dir, manifest, jsonFile);
    const bytes = await readWeightsBin(dir, manifest, group);
    checkFinite(group, bytes);
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return { json: group.json, tensors: decodeTensors(group.specs as tf.io.WeightsManifestEntry[], data) };
  } catch (error) {
    throw modelError(dir, error);
  }
}

async function readTokenizer(dir: string, manifest: Manifest): Promise<Tokenizer> {
  try {
    return await readTokenizerAt(dir, manifest);
  } catch (error) {
    throw modelError(dir, error);
  }
}

/**
 * Refuse a config the saved weights cannot fill before building it: a hand-edited manifest could
 * otherwise ask for a model far too big for memory (the wasm heap aborts the whole process).
 */
/** Config entries that may be fractions; every other number is a size. */
const FRACTIONAL_KEYS = new Set(['dropout', 'layerNormEpsilon', 'rmsEps', 'ropeTheta']);

function checkConfigFitsWeights(dir: string, manifest: Manifest, weights: Record<string, tf.Tensor>): void {
  const config = manifest.config as unknown as Record<string, unknown>;
  // Numbers are sizes (or the listed fractions); flags, rope scaling and quantization are the family's to check.
  const bad = Object.entries(config).find(
    ([key, v]) => typeof v === 'number' && (!Number.isFinite(v) || v < 0 || (!FRACTIONAL_KEYS.has(key) && !Number.isSafeInteger(v))),
  ) ?? Object.entries(config).find(([key, v]) => (typeof v === 'string' && key !== 'arch' && key !== 'quantization') || v === undefined);
  if (bad) throw new Error(`model '${path.basename(dir)}' has a bad config in manifest.json (${bad[0]}: ${JSON.stringify(bad[1])})`);
  let wanted: number;
  try {
    wanted = countParameters(manifest.config);
  } catch (error) {
    throw new Error(`model '${path.basename(dir)}' has a bad config in manifest.json (${(error as Error).message})`);
  }
  const saved = Object.values(weights).reduce((n, t) => n + t.size, 0);
  // q8 packs four weights in an int32 and adds scales: assignWeights checks its shapes one by one instead.
  if (wanted !== saved && !config.quantization) {
    throw new Error(`model '${path.basename(dir)}': the config in manifest.json does not match its weights (${wanted} parameters wanted, ${saved} saved)`);
  }
}

function buildModel(dir: string, manifest: Manifest, weights: Record<string, tf.Tensor>): LanguageModel {
  checkConfigFitsWeights(dir, manifest, weights);
  const model = createModel(manifest.config, manifest.seed ?? 0);
  try {
    assignWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw new Error(`model '${path.basename(dir)}': ${(error as Error).message}`);
  }
  return model;
}

/**
 * Load a model folder (best weights, tokenizer, manifest); find it by name with registry.findModel.
 * Throws an Error with a one-line message.
 */
export async function loadModel(dir: string): Promise<LoadedModel> {
  // A training run may be saving this model right now: wait for its swap instead of failing.
  return whileSaving(dir, () => loadModelOnce(dir));
}

async function loadModelOnce(dir: string): Promise<LoadedModel> {
  const manifest = await readManifest(dir);
  if (manifest.lora) return loadLoraVariant(dir, manifest);
  const tokenizer = await readTokenizer(dir, manifest);
  const { tensors } = await readTensors(dir, manifest, 'model.json');
  let model: LanguageModel;
  try {
    model = buildModel(dir, manifest, tensors);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { name: path.basename(dir), dir, manifest, model, tokenizer, dispose: () => model.dispose() };
}

async function loadLoraVariant(dir: string, manifest: Manifest): Promise<LoadedModel> {
  const base = await loadModel(await baseDirOf(dir, manifest));
  try {
    checkBase(path.basename(dir), manifest, base);
    const { tensors } = await readTensors(dir, manifest, 'model.json');
    try {
      return withAdapters(dir, manifest, base, tensors);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  } catch (error) {
    base.dispose();
    throw error;
  }
}

/** What --resume needs: the latest weights and the optimizer slots. Caller disposes the tensors. */
export async function loadResumeState(dir: string): Promise<ResumeState> {
  const manifest = await readManifest(dir);
  // A LoRA variant has no tokenizer of its own: resuming loads it with its base (run-setup.ts).
  const tokenizer = manifest.lora ? null : await readTokenizer(dir, manifest);
  try {
    await fs.access(path.join(dir, 'optimizer.json'));
  } catch {
    throw new Error(`model '${path.basename(dir)}' has no optimizer state to resume from (train a new model, or fine-tune it)`);
  }
  const { json, tensors } = await readTensors(dir, manifest, 'optimizer.json');
  const weights: Record<string, tf.Tensor> = {};
  const slots: Record<string, tf.Tensor> = {};
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith(WEIGHTS_PREFIX)) weights[key.slice(WEIGHTS_PREFIX.length)] = t;
    else slots[key] = t;
  }
  try {
    if (!manifest.lora) checkConfigFitsWeights(dir, manifest, weights);
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  return { manifest, tokenizer, weights, optimizer: { step: json.step as number, tensors: slots } };
}

/** Current variable values as a name -> tensor map (copies, caller disposes). */
export function snapshotWeights(model: LanguageModel): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const w of model.weights) out[w.name] = tf.keep(w.variable.clone());
  return out;
}
