// `finetune --task classify`: a linear head on a base model's pooled hidden states, trained on cached
// features, optionally followed by an --unfreeze stage; the report compares it with a majority-class
// and a character n-gram baseline on the same split. Saved like any model (atomically, at the end of
// each stage or on a stop), so nothing half-written is left and --resume can continue.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readLabelled, splitRows } from './data.js';
import { chunkTexts, extractFeatures, DEFAULT_MAX_TOKENS, hiddenOf, type Pool } from './features.js';
import { trainHead, type LinearHead } from './head.js';
import { majorityBaseline, ngramBaseline } from './baselines.js';
import { unfreezeStage } from './unfreeze.js';
import { classifyInfo, HEAD_FILE, PREDICTIONS_FILE, readHead, type Predictions } from './model.js';
import { loadModel, saveCheckpoint, snapshotWeights, type LoadedModel } from '../../store/checkpoint.js';
import { findModel } from '../../store/registry.js';
import { modelSearchDirs } from '../../store/paths.js';
import { merged } from '../../store/lora-variant.js';
import { modelExistsMessage, validateModelName } from '../../store/names.js';
import { folderExists } from '../../training/run-setup.js';
import type { ClassifyFigures, ClassifyInfo, ClassifyReport, FinetuneRequest, Manifest, TrainEvent, TrainResult } from '../../types.js';

export const CLASSIFY_DEFAULTS = { val: 0.2, pool: 'mean' as Pool, epochs: 100, unfreezeEpochs: 3, headLearningRate: 3e-3, unfreezeLearningRate: 1e-4, dropout: 0.1, patience: 15 };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export async function runClassify(request: FinetuneRequest, onEvent: (e: TrainEvent) => void, shouldStop: () => boolean, backend: string): Promise<TrainResult> {
  const started = Date.now();
  const o = request.classify ?? {};
  const log = (message: string) => onEvent({ type: 'log', message });
  const name = validateModelName(request.name);
  const dir = path.join(request.modelsDir, name);
  const exists = await folderExists(dir);
  if (o.resume && !exists) throw new Error(`cannot resume: no classifier '${name}' in ${request.modelsDir}`);
  if (!o.resume && exists) throw new Error(modelExistsMessage(name, true));
  if (!request.data) throw new Error('--task classify needs --data: a CSV, TSV or JSONL file with text and label columns');

  const data = await readLabelled(request.data, { textColumn: o.textColumn, labelColumn: o.labelColumn });
  const seed = request.seed ?? 1337;
  const split = splitRows(data.rows, o.val ?? CLASSIFY_DEFAULTS.val, seed);
  const { labels } = split;

  const baseDir = o.resume ? dir : await findModel(modelSearchDirs(request.modelsDir), request.from);
  // A LoRA variant as base: its adapters merged in, so the classifier's layers are plain weights.
  const base = merged(await loadModel(baseDir));
  const resumed = o.resume ? classifyInfo(base.manifest, name) : null;
  const heads: LinearHead[] = [];
  try {
    if (resumed?.stage === 'done') throw new Error(`classifier '${name}' is complete: nothing to resume (fine-tune a new one with another --name)`);
    if (resumed && resumed.labels.join('\n') !== labels.join('\n')) throw new Error(`cannot resume ${name}: the data's labels differ from the classifier's`);
    const model = base.model;
    hiddenOf(model);
    const pool: Pool = resumed?.pool ?? o.pool ?? CLASSIFY_DEFAULTS.pool;
    const unfreeze = resumed?.unfreeze ?? o.unfreeze ?? 0;
    const maxTokens = resumed?.maxTokens ?? DEFAULT_MAX_TOKENS;
    const epochs = o.epochs ?? CLASSIFY_DEFAULTS.epochs;
    const info: ClassifyInfo = resumed ?? { labels, pool, maxTokens, unfreeze, headEpochs: 0, unfreezeEpochs: 0, stage: 'head', data: data.name };
    const parent = resumed ? base.manifest.parent : base.name;

    onEvent({ type: 'start', task: 'classify', name, backend, totalSteps: null, startStep: 0, params: model.parameterCount(), message: `${resumed ? 'resuming' : 'training'} a classifier on ${parent}: ${labels.length} labels, ${pool} pooling${unfreeze > 0 ? `, top ${unfreeze} layer(s) unfrozen in stage 2` : ''}` });
    log(`data ${data.name}: ${split.train.texts.length} train and ${split.val.texts.length} held-out rows (${split.how === 'stratified' ? `stratified ${pct(o.val ?? CLASSIFY_DEFAULTS.val)}` : 'from its split column'}), labels ${labels.join(', ')}`);
    if (data.bad.count > 0) log(`skipped ${data.bad.count} empty or malformed row(s): ${data.bad.examples.join('; ')}`);
    const train = chunkTexts(base.tokenizer, model, split.train.texts, maxTokens);
    const val = chunkTexts(base.tokenizer, model, split.val.texts, maxTokens);
    const truncated = train.truncated + val.truncated;
    if (truncated > 0) log(`${truncated} text(s) longer than ${maxTokens} tokens were cut to their first ${maxTokens}`);
    if (model.contextLength !== null && train.chunks.length > train.texts) log(`texts longer than the base's ${model.contextLength}-token window are read in window-sized chunks, averaged`);

    log('caching the base features (once; head epochs then take moments)…');
    const x = await extractFeatures(model, train, pool);
    const xVal = await extractFeatures(model, val, pool);
    let result: { figures: ClassifyFigures; predicted: number[] };
    let stopped = false;
    let headJson = resumed ? await readHead(dir, base.manifest) : undefined;
    const runHead = info.stage === 'head' ? Math.max(1, epochs - info.headEpochs) : 0;
    try {
      const fit = await trainHead({
        labels, x, y: split.train.y, xVal, yVal: split.val.y,
        epochs: runHead || 1, learningRate: CLASSIFY_DEFAULTS.headLearningRate, dropout: CLASSIFY_DEFAULTS.dropout,
        balance: o.balance ?? false, standardise: true, patience: runHead ? CLASSIFY_DEFAULTS.patience : 0, seed, start: headJson,
        // Resuming the unfreeze stage: one pass with a zero rate only rebuilds the head's figures.
        ...(runHead ? {} : { learningRate: 0 }),
        shouldStop,
        onEpoch: (epoch, loss, f, best) => {
          if (best || epoch % 10 === 0) log(`head epoch ${info.headEpochs + epoch}  loss ${loss.toFixed(3)}  held-out macro-F1 ${f.macroF1.toFixed(3)}  accuracy ${pct(f.accuracy)}${best ? '  (best)' : ''}`);
        },
      });
      heads.push(fit.head);
      if (runHead) info.headEpochs += fit.epochs;
      stopped = fit.stopped;
      result = fit;
    } finally {
      tf.dispose([x, xVal]);
    }
    const head = heads[0]!;
    if (!stopped && info.stage === 'head') info.stage = unfreeze > 0 ? 'unfreeze' : 'done';

    if (!stopped && info.stage === 'unfreeze') {
      const maxEpochs = Math.max(1, CLASSIFY_DEFAULTS.unfreezeEpochs - info.unfreezeEpochs);
      log(`stage 2: top ${unfreeze} layer(s) of the base unfrozen, lr ${request.learningRate ?? CLASSIFY_DEFAULTS.unfreezeLearningRate}, up to ${maxEpochs} epoch(s)`);
      const tuned = await unfreezeStage({
        model, head, labels, train, y: split.train.y, val, yVal: split.val.y, pool, layers: unfreeze, epochs: maxEpochs,
        learningRate: request.learningRate ?? CLASSIFY_DEFAULTS.unfreezeLearningRate, balance: o.balance ?? false, seed, best: result.figures,
        shouldStop,
        onEpoch: async (epoch, loss, f, best) => log(`unfreeze epoch ${info.unfreezeEpochs + epoch}  loss ${loss.toFixed(3)}  held-out macro-F1 ${f.macroF1.toFixed(3)}${best ? '  (best)' : ''}`),
      });
      info.unfreezeEpochs += tuned.stopped ? tuned.epochs - 1 : tuned.epochs;
      stopped = tuned.stopped;
      if (tuned.predicted) result = { figures: tuned.figures, predicted: tuned.predicted };
      if (!stopped) info.stage = 'done';
    }

    let report: ClassifyReport | undefined;
    let predictions: Predictions | undefined;
    if (info.stage === 'done') {
      log('baselines on the same split: majority class, character n-gram logistic regression…');
      const majority = majorityBaseline(labels, split.train.y, split.val.y);
      const ngram = await ngramBaseline({ labels, train: split.train, val: split.val, balance: o.balance ?? false, seed });
      report = {
        data: data.name, labels, trainRows: split.train.texts.length, valRows: split.val.texts.length,
        badRows: data.bad.count, badExamples: data.bad.examples, split: split.how, truncated, maxTokens, pool, unfreeze,
        classifier: result.figures, majority: majority.figures, ngram: ngram.figures,
      };
      info.report = report;
      predictions = { labels, truth: split.val.y, classifier: result.predicted, majority: majority.predicted, ngram: ngram.predicted };
    }
    headJson = await head.toJSON();
    const wallSeconds = (Date.now() - started) / 1000 + (resumed ? base.manifest.wallSeconds : 0);
    const manifest = classifierManifest(base, { name, parent, info, data: data.name, train: train.chunks.length, val: val.chunks.length, backend, wallSeconds, command: request.command, seed, headParams: headJson.kernel.length + headJson.bias.length });
    const weights = snapshotWeights(model);
    try {
      await saveCheckpoint(dir, {
        manifest, tokenizer: base.tokenizer, bestWeights: weights,
        files: { [HEAD_FILE]: JSON.stringify(headJson), ...(predictions ? { [PREDICTIONS_FILE]: JSON.stringify(predictions) } : {}) },
      });
    } finally {
      tf.dispose(Object.values(weights));
    }
    onEvent({ type: 'checkpoint', step: info.headEpochs + info.unfreezeEpochs, path: dir });
    const done: TrainResult = {
      name, step: info.headEpochs + info.unfreezeEpochs, bestValLoss: null, stoppedBy: stopped ? 'stop' : 'early-stop', wallSeconds,
      ...(report ? { classifyReport: report } : {}),
    };
    onEvent({ type: 'done', result: done });
    return done;
  } finally {
    for (const h of heads) h.dispose();
    base.dispose();
  }
}

function classifierManifest(
  base: LoadedModel,
  o: { name: string; parent: string | null; info: ClassifyInfo; data: string; train: number; val: number; backend: string; wallSeconds: number; command?: string; seed: number; headParams: number },
): Manifest {
  const now = new Date().toISOString();
  const { finetune: _lm, ...rest } = base.manifest;
  return {
    ...rest,
    name: o.name,
    parent: o.parent,
    task: 'classify',
    classify: o.info,
    corpus: { name: o.data, trainTokens: o.train, valTokens: o.val },
    step: o.info.headEpochs + o.info.unfreezeEpochs,
    bestValLoss: null,
    history: [],
    params: base.model.parameterCount() + o.headParams,
    backend: o.backend,
    wallSeconds: o.wallSeconds,
    seed: o.seed,
    ...(o.command ? { command: o.command } : {}),
    createdAt: base.manifest.task === 'classify' ? base.manifest.createdAt : now,
    updatedAt: now,
  };
}
