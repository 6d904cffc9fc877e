// The training loop (nanoGPT's train.py, flat): sample a batch, step AdamW on the schedule,
// evaluate and checkpoint now and then, stop on steps, time, request or early stopping.
// It reports only through `onEvent`; scratch, resume and fine-tune differ only in their setup.
import * as tf from '@tensorflow/tfjs-core';
import { batchAt, randomOffsets } from '../data/dataset.js';
import { sparseCrossEntropy } from './loss.js';
import { learningRateAt } from './optim.js';
import { gradients } from '../models/index.js';
import { makeRandom } from '../sample.js';
import { estimateLoss, validationOffsets } from './evaluate.js';
import { saveCheckpoint, snapshotWeights } from '../store/checkpoint.js';
import { FIT_AFTER_STEPS, fittedDecaySteps } from './schedule.js';
import type { RunSetup } from './run-setup.js';
import type { Manifest, TrainEvent, TrainResult } from '../types.js';

/** Evaluate (and so checkpoint) at least this often, whatever the eval interval says. */
const MAX_SECONDS_BETWEEN_SAVES = 60;

export interface LoopControls {
  onEvent: (event: TrainEvent) => void;
  shouldStop: () => boolean;
  backend: string;
  /** Told each step's duration and when an evaluation interrupts the steps (the BLAS thread tuner). */
  stepObserver?: { recordStep(ms: number): void; interrupted(): void };
  /** The GPU device's first error, if any (webgpu): a failed pipeline does not throw, it computes garbage. */
  deviceError?: () => string | null;
}

export async function trainLoop(setup: RunSetup, controls: LoopControls): Promise<TrainResult> {
  const { model, train, splits } = setup;
  const { onEvent, shouldStop } = controls;
  const random = makeRandom(setup.seed * 7919 + setup.startStep);
  const valOffsets = validationOffsets(splits.val, train.seqLength, train.batchSize, train.evalBatches);
  const runStarted = performance.now();
  let best = setup.initialBest;
  let bestValLoss = setup.bestValLoss;
  let evalsWithoutGain = 0;
  let step = setup.startStep;
  let lastEvalStep = setup.startStep;
  let lastEvalTime = runStarted;
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  const recent: { loss: number; ms: number }[] = [];

  onEvent({
    type: 'start',
    name: setup.name,
    backend: controls.backend,
    totalSteps: setup.totalSteps,
    startStep: step,
    params: model.parameterCount(),
    message: setup.startMessage,
    saveEvery: { steps: train.evalInterval, seconds: MAX_SECONDS_BETWEEN_SAVES },
  });

  /** With a time budget, end the cosine at the deadline: pace from recent steps at first, then the run's average. */
  const fitSchedule = (msPerStep: number) => {
    if (setup.fitSchedule && setup.deadline !== null) {
      train.decaySteps = fittedDecaySteps(step, msPerStep, setup.deadline - Date.now(), train);
    }
  };

  const evaluateAndSave = async () => {
    if (step > setup.startStep) fitSchedule((performance.now() - runStarted) / (step - setup.startStep));
    const valLoss = await estimateLoss(model, splits.val, valOffsets, train.seqLength, train.batchSize);
    const trainLoss = mean(recent.map((r) => r.loss));
    const improved = bestValLoss === null || valLoss < bestValLoss;
    if (improved) {
      bestValLoss = valLoss;
      evalsWithoutGain = 0;
      if (best) tf.dispose(Object.values(best));
      best = snapshotWeights(model);
    } else {
      evalsWithoutGain++;
    }
    setup.history.push({ step, trainLoss, valLoss });
    onEvent({ type: 'eval', step, trainLoss, valLoss, best: improved });
    await save();
    controls.stepObserver?.interrupted();
    lastEvalStep = step;
    lastEvalTime = performance.now();
  };

  const save = async (extra: Partial<Manifest> = {}) => {
    const latest = snapshotWeights(model);
    // Fresh per-weight copies cut from the optimizer's flat buffers: ours to dispose.
    const optimizer = setup.optimizer.getState();
    try {
      await saveCheckpoint(setup.dir, {
        manifest: manifestAt(setup, step, bestValLoss, controls.backend, runStarted, extra),
        tokenizer: setup.tokenizer,
        bestWeights: best ?? latest,
        resume: { weights: latest, optimizer: { step, tensors: optimizer.tensors } },
        ...(setup.keepFiles ? { files: setup.keepFiles } : {}),
      });
    } finally {
      tf.dispose([...Object.values(latest), ...Object.values(optimizer.tensors)]);
    }
    onEvent({ type: 'checkpoint', step, path: setup.dir });
  };

  try {
    for (;;) {
      if (setup.totalSteps !== null && step >= setup.totalSteps) break;
      if (setup.deadline !== null && Date.now() >= setup.deadline) {
        stoppedBy = 'time';
        break;
      }
      if (shouldStop()) {
        stoppedBy = 'stop';
        break;
      }
      const stepStarted = performance.now();
      const learningRate = learningRateAt(step, train);
      const batch = batchAt(splits.train, randomOffsets(splits.train, train.seqLength, train.batchSize, random), train.seqLength);
      const lossTensor = tf.tidy(() => {
        const { value, grads } = gradients(model, setup.trainable, () => {
          const logits = model.apply(batch.x, true);
          return sparseCrossEntropy(tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D, batch.y);
        });
        setup.optimizer.step(grads, learningRate);
        return value;
      });
      tf.dispose([batch.x, batch.y]);
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();
      step++;
      const gpuError = controls.deviceError?.();
      if (gpuError) throw new Error(`the GPU reported an error, so results are unreliable (${gpuError}); train with --backend wasm`);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss}); try a lower learning rate`);
      const stepMs = performance.now() - stepStarted;
      controls.stepObserver?.recordStep(stepMs);
      recent.push({ loss, ms: stepMs });
      if (recent.length > 20) recent.shift();
      if (step - setup.startStep === FIT_AFTER_STEPS) fitSchedule(mean(recent.map((r) => r.ms)));

      const msPerStep = mean(recent.map((r) => r.ms));
      onEvent({
        type: 'progress',
        step,
        totalSteps: setup.totalSteps,
        trainLoss: loss,
        tokensPerSec: (train.batchSize * train.seqLength * 1000) / msPerStep,
        elapsedSeconds: setup.wallSecondsBefore + (performance.now() - runStarted) / 1000,
        etaSeconds: eta(setup, step, msPerStep),
        learningRate,
      });

      const dueByStep = step % train.evalInterval === 0;
      const dueByTime = (performance.now() - lastEvalTime) / 1000 >= MAX_SECONDS_BETWEEN_SAVES;
      if (dueByStep || dueByTime) {
        await evaluateAndSave();
        if (setup.patience > 0 && evalsWithoutGain >= setup.patience) {
          stoppedBy = 'early-stop';
          onEvent({ type: 'log', message: `early stop: validation loss has not improved for ${setup.patience} evaluations` });
          break;
        }
      }
    }
    if (step > lastEvalStep || bestValLoss === null) await evaluateAndSave();
    const report = setup.finish ? await setup.finish(model, best, stoppedBy === 'early-stop') : undefined;
    if (report) {
      setup.manifestBase.finetune = { ...setup.manifestBase.finetune!, report };
      await save();
    }
    return {
      name: setup.name,
      step,
      bestValLoss,
      stoppedBy,
      wallSeconds: setup.wallSecondsBefore + (performance.now() - runStarted) / 1000,
      report,
    };
  } finally {
    if (best) tf.dispose(Object.values(best));
  }
}

function manifestAt(
  setup: RunSetup,
  step: number,
  bestValLoss: number | null,
  backend: string,
  runStarted: number,
  extra: Partial<Manifest>,
): Manifest {
  return {
    ...setup.manifestBase,
    step,
    bestValLoss,
    history: setup.history,
    params: setup.model.parameterCount(),
    backend,
    wallSeconds: Math.round((setup.wallSecondsBefore + (performance.now() - runStarted) / 1000) * 10) / 10,
    updatedAt: new Date().toISOString(),
    ...extra,
  };
}

function eta(setup: RunSetup, step: number, msPerStep: number): number | null {
  const bySteps = setup.totalSteps !== null ? ((setup.totalSteps - step) * msPerStep) / 1000 : null;
  const byTime = setup.deadline !== null ? Math.max(0, (setup.deadline - Date.now()) / 1000) : null;
  if (bySteps === null) return byTime;
  if (byTime === null) return bySteps;
  return Math.min(bySteps, byTime);
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
