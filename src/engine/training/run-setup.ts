// The plan of a run from scratch or a resume (fine-tuning builds its plan in finetune.ts).
// Each builder feeds planFrom (plan.ts); the training loop reads the plan and never writes it.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { corpusFromText, loadCorpus, recordedCorpus, splitDocuments } from '../data/corpus.js';
import { readVerified } from '../store/read-folder.js';
import { isConversationFile } from '../data/conversations.js';
import { conversationSource } from './finetune-data.js';
import type { BatchSource } from './batches.js';
import { checkTrainingFits } from '../runtime/memory.js';
import { firstLine } from '../first-line.js';
import { buildTokenizer } from '../data/tokenizers/index.js';
import { assignWeights, createModel, trainableNames } from '../models/index.js';
import { defaultPreset, resolveConfig } from '../models/presets.js';
import { AdamW } from './optim.js';
import { encodeSplits, usableSeqLength, type TokenSplits } from '../data/dataset.js';
import { FINETUNE_TEXT_FILE, loadModel, loadResumeState, readManifest } from '../store/checkpoint.js';
import { modelExistsMessage, validateModelName } from '../store/names.js';
import { canFitSchedule } from './schedule.js';
import { planFrom, type ManifestBase, type RunPlan } from './plan.js';
import type { LanguageModel, Manifest, Tokenizer, TrainConfig, TrainRequest } from '../types.js';

export function deadlineFrom(minutes: number | undefined): number | null {
  return minutes === undefined ? null : Date.now() + minutes * 60_000;
}

export async function folderExists(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** On a GPU a step costs about the same at batch 64 as at 12 (it is dispatch-bound): keep it busy. */
export const GPU_MIN_BATCH = 64;

export async function prepareTraining(request: TrainRequest, backend = 'cpu'): Promise<RunPlan> {
  const name = validateModelName(request.name);
  const dir = path.join(request.modelsDir, name);
  const exists = await folderExists(dir);
  if (request.resume) {
    if (!exists) throw new Error(`cannot resume: no model '${name}' in ${request.modelsDir}`);
    return prepareResume(request, dir, backend);
  }
  if (exists) throw new Error(modelExistsMessage(name, true));

  const corpus = await loadCorpus(request.corpus);
  const split = splitDocuments(corpus);
  const overrides = request.overrides ?? {};
  const tokenizer = buildTokenizer(request.tokenizer, split.train, {
    lowercase: overrides.lowercase,
    vocabLimit: overrides.vocabLimit,
  });
  const splits = encodeSplits(tokenizer, split);
  const preset = request.preset ?? defaultPreset(request.arch, request.tokenizer);
  const { model: config, train } = resolveConfig(request.arch, preset, tokenizer.vocabSize, overrides);
  if (backend.startsWith('webgpu') && overrides.batchSize === undefined) train.batchSize = Math.max(train.batchSize, GPU_MIN_BATCH);
  const seqLength = usableSeqLength(splits, train.seqLength);
  if (seqLength < 2) throw new Error(`corpus '${request.corpus}' is too small to train on (${splits.train.length} tokens)`);
  train.seqLength = seqLength;
  if (config.arch === 'gpt') config.contextLength = Math.min(config.contextLength, Math.max(seqLength, 2));
  if (backend.startsWith('wasm')) checkTrainingFits(config, train.batchSize, train.seqLength);
  const seed = request.seed ?? 1337;
  const model = createModel(config, seed);
  const trainable = new Set(model.weights.map((w) => w.name));
  const optimizer = new AdamW(model.weights, train, trainable);
  const now = new Date().toISOString();
  return planFrom({
    name,
    dir,
    model,
    tokenizer,
    train,
    splits,
    optimizer,
    trainable,
    seed,
    totalSteps: stepsFor(request, train, 0),
    deadline: deadlineFrom(request.minutes),
    fitSchedule: canFitSchedule(request, train),
    patience: request.patience ?? 0,
    manifest: {
      format: 1,
      name,
      arch: request.arch,
      config,
      train,
      tokenizer: { kind: tokenizer.kind, vocabSize: tokenizer.vocabSize },
      corpus: { name: corpus.name, trainTokens: splits.train.length, valTokens: splits.val.length },
      parent: null,
      seed,
      command: request.command,
      createdAt: now,
    },
    startMessage: `training ${name}: ${request.arch} (${preset}), ${tokenizer.kind} tokenizer of ${tokenizer.vocabSize} tokens, on ${corpus.name} (${splits.train.length.toLocaleString('en-US')} training tokens)`,
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  });
}

/** Steps to stop at: --steps more steps from here, else (with --minutes only) none, else the schedule's length. */
export function stepsFor(request: { steps?: number; minutes?: number }, train: TrainConfig, startStep: number): number | null {
  if (request.steps !== undefined) return startStep + request.steps;
  if (request.minutes !== undefined) return null;
  return Math.max(startStep, train.decaySteps);
}

async function prepareResume(request: TrainRequest, dir: string, backend: string): Promise<RunPlan> {
  const planned = await readManifest(dir);
  if (backend.startsWith('wasm')) checkTrainingFits(planned.config, planned.train.batchSize, planned.train.seqLength);
  const { manifest, tokenizer, model, optimizer, trainable, best } = request.resetOptimizer ? await freshOptimizer(dir) : await savedOptimizer(dir);
  const pasted = manifest.finetune?.data === PASTED_TEXT ? await readPastedText(dir, manifest) : null;
  const given = request.corpus?.trim() ? request.corpus : null;
  let data: { splits: TokenSplits } | { batches: BatchSource };
  try {
    data = await resumeData(manifest, tokenizer, pasted, given);
  } catch (error) {
    optimizer.dispose();
    model.dispose();
    tf.dispose(Object.values(best));
    throw error;
  }
  const startStep = manifest.step;
  const opt = optimizer;
  const how = request.resetOptimizer ? ' from its best weights with a fresh optimizer (--reset-optimizer)' : '';
  return planFrom({
    name: manifest.name,
    dir,
    model,
    tokenizer,
    train: manifest.train,
    ...data,
    optimizer: opt,
    trainable,
    seed: manifest.seed ?? 0,
    startStep,
    totalSteps: stepsFor(request, manifest.train, startStep),
    deadline: deadlineFrom(request.minutes),
    patience: request.patience ?? 0,
    ...(pasted !== null ? { keepFiles: { [FINETUNE_TEXT_FILE]: pasted } } : {}),
    earlier: { history: manifest.history ?? [], bestValLoss: manifest.bestValLoss, best, wallSeconds: manifest.wallSeconds ?? 0 },
    manifest: { ...stripRunFields(manifest), command: manifest.command },
    startMessage: `resuming ${manifest.name} at step ${startStep}${how} (best val loss ${manifest.bestValLoss?.toFixed(3) ?? 'n/a'})`,
    dispose: () => {
      opt.dispose();
      model.dispose();
    },
  });
}

/** What a resumed run learns from: its pasted text, the text given again, or (a fine-tune on conversations) its chats.jsonl given again. */
async function resumeData(manifest: Manifest, tokenizer: Tokenizer, pasted: string | null, given: string | null): Promise<{ splits: TokenSplits } | { batches: BatchSource }> {
  if (manifest.finetune && isConversationFile(manifest.finetune.data)) {
    const file = given ?? corpusToReload(manifest);
    if (!isConversationFile(file)) throw new Error(`${manifest.name} was fine-tuned on conversations: resume it with --corpus FILE.jsonl, not text`);
    const source = await conversationSource(file, manifest.name, tokenizer, manifest.train.seqLength);
    return { batches: source.batches(manifest.train) };
  }
  const corpus = pasted !== null ? corpusFromText(pasted) : await loadCorpus(given ?? corpusToReload(manifest));
  return { splits: encodeSplits(tokenizer, splitDocuments(corpus)) };
}

interface Resumed {
  manifest: Manifest;
  tokenizer: Tokenizer;
  model: LanguageModel;
  optimizer: AdamW;
  trainable: ReadonlySet<string>;
  best: Record<string, tf.Tensor>;
}

/** A fine-tune resumes with the same layers frozen (its optimizer state has slots for the others only). */
function trainableOf(manifest: Manifest, model: LanguageModel): ReadonlySet<string> {
  const freeze = manifest.finetune && manifest.finetune.freeze >= 0 ? manifest.finetune.freeze : undefined;
  return trainableNames(model, freeze);
}

/** The latest weights and the saved optimizer state; a broken state is refused pointing at --reset-optimizer. */
async function savedOptimizer(dir: string): Promise<Resumed> {
  const resetHint = (error: unknown) =>
    new Error(`${firstLine(error)} — resume with --reset-optimizer to start the optimizer fresh from the best weights`);
  const state = await loadResumeState(dir).catch((error: unknown) => {
    throw /optimizer/.test(firstLine(error)) ? resetHint(error) : error;
  });
  const { manifest } = state;
  // A LoRA variant loads with its base (and the base's tokenizer); its saved weights are the adapters.
  const built = state.tokenizer ? { model: createModel(manifest.config, manifest.seed ?? 0), tokenizer: state.tokenizer } : await loadModel(dir);
  const { model, tokenizer } = built;
  const trainable = trainableOf(manifest, model);
  let optimizer: AdamW | null = null;
  try {
    assignWeights(model, state.weights);
    optimizer = new AdamW(model.weights, manifest.train, trainable);
    try {
      optimizer.setState(state.optimizer);
    } catch (error) {
      throw resetHint(`model '${manifest.name}': optimizer state does not fit the model (${firstLine(error)})`);
    }
    return { manifest, tokenizer, model, optimizer, trainable, best: await bestWeightsOf(dir) };
  } catch (error) {
    optimizer?.dispose();
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(state.weights));
    tf.dispose(Object.values(state.optimizer.tensors));
  }
}

/** --reset-optimizer: the best weights (verified like any load) and a fresh AdamW; the saved state is not read. */
async function freshOptimizer(dir: string): Promise<Resumed> {
  const loaded = await loadModel(dir);
  const trainable = trainableOf(loaded.manifest, loaded.model);
  const optimizer = new AdamW(loaded.model.weights, loaded.manifest.train, trainable);
  const best: Record<string, tf.Tensor> = {};
  for (const w of loaded.model.weights) best[w.name] = tf.keep(w.variable.clone());
  return { manifest: loaded.manifest, tokenizer: loaded.tokenizer, model: loaded.model, optimizer, trainable, best };
}

/** The data name of a fine-tune made from pasted text. */
export const PASTED_TEXT = 'text';

async function readPastedText(dir: string, manifest: Manifest): Promise<string> {
  try {
    return (await readVerified(dir, manifest, FINETUNE_TEXT_FILE)).toString('utf8');
  } catch (error) {
    if (firstLine(error).startsWith('missing ')) {
      throw new Error(`cannot resume ${path.basename(dir)}: its pasted fine-tune text was not kept (${FINETUNE_TEXT_FILE} is missing)`);
    }
    throw new Error(`cannot resume ${path.basename(dir)}: ${firstLine(error)}`);
  }
}

/** The corpus to resume on when none is given: the recorded one, if it is a shipped corpus (data/corpus.ts says why). */
function corpusToReload(manifest: Manifest): string {
  return recordedCorpus(manifest.finetune?.data ?? manifest.corpus.name, manifest.name, 'again with --corpus FILE');
}

async function bestWeightsOf(dir: string): Promise<Record<string, tf.Tensor>> {
  const loaded = await loadModel(dir);
  try {
    const out: Record<string, tf.Tensor> = {};
    for (const w of loaded.model.weights) out[w.name] = tf.keep(w.variable.clone());
    return out;
  } finally {
    loaded.dispose();
  }
}

function stripRunFields(manifest: Manifest): ManifestBase {
  const { step: _s, bestValLoss: _b, history: _h, params: _p, backend: _k, wallSeconds: _w, updatedAt: _u, ...rest } = manifest;
  return rest;
}
