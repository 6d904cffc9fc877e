// Transfer learning (the seed tutorial's second half): start from a base model's weights and
// tokenizer, train on new text at a lower learning rate with optional frozen layers, hold out part
// of the text and stop early when validation loss stops improving; report what it learned and forgot.
import * as path from 'node:path';
import { loadCorpus, splitDocuments } from '../data/corpus.js';
import { encodeText } from '../data/dataset.js';
import { FINETUNE_TEXT_FILE, loadModel, type LoadedModel } from '../store/checkpoint.js';
import { assignWeights, trainableNames } from '../models/index.js';
import { LoraModel, adapterParameterCount, isAdaptable, type LoraSettings } from '../models/lora.js';
import { merged } from '../store/lora-variant.js';
import { STAND_IN_CORPUS } from '../store/hf-import.js';
import { isConversationFile } from '../data/conversations.js';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './optim.js';
import { loraActivationFloats, wasmFitRefusal } from './memory.js';
import { lossFigures } from './evaluate.js';
import { findModel } from '../store/registry.js';
import { modelSearchDirs } from '../store/paths.js';
import { modelExistsMessage, validateModelName } from '../store/names.js';
import { deadlineFrom, folderExists, stepsFor } from './run-setup.js';
import { REPORT_TOKENS, finetuneData } from './finetune-data.js';
import { planFrom, type RunPlan } from './plan.js';
import type { EvalFigures, FinetuneReport, FinetuneRequest, LanguageModel, Manifest, TrainConfig } from '../types.js';

export const FINETUNE_DEFAULTS = {
  steps: 200,
  /** Fraction of the base model's peak learning rate. */
  learningRateFactor: 0.1,
  /** With --lora: adapters start at zero and train few weights, so they take the base's own peak rate. */
  loraLearningRateFactor: 1,
  patience: 3,
};

export async function prepareFinetune(request: FinetuneRequest): Promise<RunPlan> {
  const name = validateModelName(request.name);
  const dir = path.join(request.modelsDir, name);
  if (await folderExists(dir)) throw new Error(modelExistsMessage(name, false));
  const baseDir = await findModel(modelSearchDirs(request.modelsDir), request.from);
  const loaded = await loadModel(baseDir);
  if (request.lora && loaded.manifest.lora) {
    loaded.dispose();
    throw new Error(`${loaded.name} is itself a LoRA adapter: merge it first (inkling merge ${loaded.name} --name ${loaded.name}-merged), then fine-tune that`);
  }
  // A full fine-tune of a LoRA variant starts from its merged weights.
  const base = merged(loaded);
  let lora: LoraModel | null = null;
  try {
    const { tokenizer, manifest: baseManifest } = base;
    const quantized = (baseManifest.config as { quantization?: string }).quantization;
    if (quantized) {
      throw new Error(`${base.name} has ${quantized} weights, which are for inference only: fine-tune its float32 base${baseManifest.parent ? ` ${baseManifest.parent}` : ''} instead`);
    }
    const data = await finetuneData(request, base);
    const dataName = data.name;
    const train = finetuneConfig(baseManifest.train, data.seqLength, request);
    const seed = request.seed ?? baseManifest.seed ?? 1337;
    if (request.lora) lora = withLora(base, request.lora, request.freeze, seed);
    const model = lora ?? base.model;
    const trainable = trainableNames(model, request.freeze);
    checkFits(base, model, train, trainable, request.lora);
    const optimizer = new AdamW(model.weights, train, trainable);
    const baseCorpusSplits = await baseCorpusTokens(base);
    const before = {
      onData: await data.heldOut(model, train),
      onBaseCorpus: await lossFigures(model, baseCorpusSplits.val, baseCorpusSplits.valChars, train.seqLength, REPORT_TOKENS),
    };
    const now = new Date().toISOString();
    return planFrom({
      name,
      dir,
      model,
      tokenizer,
      train,
      batches: data.batches(train),
      optimizer,
      trainable,
      seed,
      totalSteps: stepsFor({ steps: request.steps ?? (request.minutes === undefined ? FINETUNE_DEFAULTS.steps : undefined), minutes: request.minutes }, train, 0),
      deadline: deadlineFrom(request.minutes),
      patience: request.patience ?? FINETUNE_DEFAULTS.patience,
      ...(request.text !== undefined ? { keepFiles: { [FINETUNE_TEXT_FILE]: request.text } } : {}),
      manifest: {
        ...baseManifest,
        format: 1,
        name,
        train,
        parent: base.name,
        corpus: { name: dataName, trainTokens: data.trainTokens, valTokens: data.valTokens },
        finetune: { data: dataName, freeze: request.freeze ?? -1 },
        ...(lora ? { lora: loraInfo(lora, base) } : {}),
        seed,
        command: request.command,
        createdAt: now,
      },
      startMessage:
        `fine-tuning ${base.name} into ${name} on ${dataName} (${data.summary}), lr ${Number(train.learningRate.toPrecision(3))}` +
        (request.freeze !== undefined ? `, embeddings and ${request.freeze} layer(s) frozen` : '') +
        (lora ? `, LoRA rank ${lora.adapters.settings.rank} (${lora.adapters.parameterCount().toLocaleString('en-US')} trainable parameters)` : ''),
      finish: async (variant, best, stoppedEarly) => {
        if (best) assignWeights(variant, best);
        const after = {
          onData: await data.heldOut(variant, train),
          onBaseCorpus: await lossFigures(variant, baseCorpusSplits.val, baseCorpusSplits.valChars, train.seqLength, REPORT_TOKENS),
        };
        return { ...reportOf(dataName, data.unknownFraction, before, after, stoppedEarly), ...(lora ? { lora: true } : {}) };
      },
      dispose: () => {
        optimizer.dispose();
        lora?.adapters.dispose();
        base.dispose();
      },
    });
  } catch (error) {
    lora?.adapters.dispose();
    base.dispose();
    throw error;
  }
}

/** The base with fresh adapters on (it stays owned by `base`), or a one-line refusal. */
function withLora(base: LoadedModel, settings: LoraSettings, freeze: number | undefined, seed: number): LoraModel {
  if (freeze !== undefined) throw new Error('--freeze and --lora do not combine: LoRA already keeps every base weight frozen');
  if (!isAdaptable(base.model)) {
    throw new Error(`--lora works on pretrained transformers (gpt2, llama); ${base.name} is a ${base.manifest.arch} model: fine-tune it in full, or with --freeze`);
  }
  return new LoraModel(base.model, settings, seed);
}

function loraInfo(lora: LoraModel, base: LoadedModel): NonNullable<Manifest['lora']> {
  const { rank, alpha, dropout } = lora.adapters.settings;
  const baseWeights = base.manifest.checksums?.['weights.bin'];
  return { rank, alpha, dropout, parameters: lora.adapters.parameterCount(), ...(baseWeights ? { baseWeights } : {}) };
}

/** Refuse, before any optimizer state exists, a run the wasm heap cannot hold (it would abort half way). */
function checkFits(base: LoadedModel, model: LanguageModel, train: TrainConfig, trainable: ReadonlySet<string>, lora: LoraSettings | undefined): void {
  if (tf.getBackend() !== 'wasm') return;
  const size = (names: ReadonlySet<string>) => model.weights.reduce((n, w) => n + (names.has(w.name) ? w.variable.size : 0), 0);
  const full = base.model;
  const targets = isAdaptable(full) ? full.adapterTargets() : null;
  const alternatives = lora
    ? {}
    : {
        trainableAt: (n: number) => size(trainableNames(full, n)),
        ...(targets ? { lora8: { trainable: adapterParameterCount(targets, 8), floatsPerToken: loraActivationFloats(targets) } } : {}),
      };
  const loraFloats = lora && targets ? loraActivationFloats(targets) : 0;
  const refusal = wasmFitRefusal(`fine-tuning ${base.name}`, model.config, model.parameterCount(), size(trainable), train, alternatives, loraFloats);
  if (refusal) throw new Error(refusal);
}

function finetuneConfig(base: TrainConfig, seqLength: number, request: FinetuneRequest): TrainConfig {
  const factor = request.lora ? FINETUNE_DEFAULTS.loraLearningRateFactor : FINETUNE_DEFAULTS.learningRateFactor;
  const learningRate = request.learningRate ?? base.learningRate * factor;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new Error(`--lr must be a positive number, got ${learningRate}`);
  const steps = request.steps ?? FINETUNE_DEFAULTS.steps;
  return {
    ...base,
    ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
    seqLength,
    learningRate,
    // Constant rate after a short warmup: fine-tuning runs are short and stop early.
    minLearningRate: learningRate,
    warmupSteps: Math.min(10, Math.floor(steps / 10)),
    decaySteps: steps,
    evalInterval: Math.max(5, Math.min(50, Math.floor(steps / 10))),
    evalBatches: Math.min(base.evalBatches, 4),
  };
}

/** The held-out part of the base's corpus, tokenized (the report reads only that: the training part is not encoded). */
async function baseCorpusTokens(base: LoadedModel): Promise<{ val: Int32Array; valChars: number }> {
  // A base fine-tuned on conversations has no text of its own to forget: the pretrained stand-in serves.
  const recorded = base.manifest.finetune?.data ?? base.manifest.corpus.name;
  const corpusName = isConversationFile(recorded) ? STAND_IN_CORPUS : recorded;
  try {
    const { ids, chars } = encodeText(base.tokenizer, splitDocuments(await loadCorpus(corpusName)).val);
    return { val: ids, valChars: chars };
  } catch (error) {
    throw new Error(`cannot load the base model's corpus '${corpusName}' for the report: ${(error as Error).message}`);
  }
}

function reportOf(
  data: string,
  unknownFraction: number,
  base: { onData: EvalFigures; onBaseCorpus: EvalFigures },
  variant: { onData: EvalFigures; onBaseCorpus: EvalFigures },
  stoppedEarly: boolean,
): FinetuneReport {
  const strip = (f: EvalFigures): EvalFigures => ({ valLoss: f.valLoss, perplexity: f.perplexity, bitsPerChar: f.bitsPerChar });
  return {
    data,
    unknownFraction,
    base: { onData: strip(base.onData), onBaseCorpus: strip(base.onBaseCorpus) },
    variant: { onData: strip(variant.onData), onBaseCorpus: strip(variant.onBaseCorpus) },
    stoppedEarly,
  };
}

