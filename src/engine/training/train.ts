// The training loop (nanoGPT's train.py, flat): sample a batch, step AdamW on the schedule,
// evaluate and checkpoint now and then, stop on steps, time, request or early stopping.
// `runTraining` (below) is every run's entry: it builds the plan, runs this loop and disposes the plan.
// It reports only through `onEvent`; scratch, resume and fine-tune differ only in their plan (plan.ts),
// which the loop reads and never writes: it owns the run's progress (history, best weights, fitted decay).
import * as tf from '@tensorflow/tfjs-core';
import { sparseCrossEntropy } from './loss.js';
import { learningRateAt } from './optim.js';
import { gradients } from '../models/index.js';
import { makeRandom } from '../sample.js';
import { saveCheckpoint, snapshotWeights } from '../store/checkpoint.js';
import { FIT_AFTER_STEPS, fittedDecaySteps } from './schedule.js';
import { manifestOf, type RunPlan, type RunProgress } from './plan.js';
import { prepareTraining } from './run-setup.js';
import { prepareFinetune } from './finetune.js';
import { tuneBlasThreadsForRun } from '../runtime/blas-threads.js';
import { webgpuDeviceError } from '../runtime/backend-webgpu.js';
import type { TrainEvent, TrainingRequest, TrainResult } from '../types.js';

/** Evaluate (and so checkpoint) at least this often, whatever the eval interval says. */
const MAX_SECONDS_BETWEEN_SAVES = 60;

export interface LoopControls {
  onEvent: (event: TrainEvent) => void;
  shouldStop: () => boolean;
  backend: string;
  /** Told each step's duration and when an evaluation interrupts the steps (the BLAS thread tuner). */
  stepObserver?: { recordStep(ms: number): void; interrupted(): void };
  /** Awaited before each step; resolves true when it held the loop back (a reply had priority). */
  beforeStep?: () => Promise<boolean>;
  /** The GPU device's first error, if any (webgpu): a failed pipeline does not throw, it computes garbage. */
  deviceError?: () => string | null;
}

export async function trainLoop(plan: RunPlan, controls: LoopControls): Promise<TrainResult> {
  const { model, train } = plan;
  const { onEvent, shouldStop } = controls;
  const random = makeRandom(plan.seed * 7919 + plan.startStep);
  const runStarted = performance.now();
  const wallSeconds = () => plan.earlier.wallSeconds + (performance.now() - runStarted) / 1000;
  const progress: RunProgress = {
    step: plan.startStep,
    bestValLoss: plan.earlier.bestValLoss,
    history: [...plan.earlier.history],
    decaySteps: train.decaySteps,
    wallSeconds: plan.earlier.wallSeconds,
  };
  let best = plan.earlier.best;
  let evalsWithoutGain = 0;
  let step = plan.startStep;
  let lastEvalStep = plan.startStep;
  let lastEvalTime = runStarted;
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  const recent: { loss: number; ms: number; tokens: number }[] = [];

  onEvent({
    type: 'start',
    name: plan.name,
    backend: controls.backend,
    totalSteps: plan.totalSteps,
    startStep: step,
    params: model.parameterCount(),
    message: plan.startMessage,
    saveEvery: { steps: train.evalInterval, seconds: MAX_SECONDS_BETWEEN_SAVES },
  });

  /** With a time budget, end the cosine at the deadline: pace from recent steps at first, then the run's average. */
  const fitSchedule = (msPerStep: number) => {
    if (plan.fitSchedule && plan.deadline !== null) {
      progress.decaySteps = fittedDecaySteps(step, msPerStep, plan.deadline - Date.now(), train);
    }
  };

  const evaluateAndSave = async () => {
    if (step > plan.startStep) fitSchedule((performance.now() - runStarted) / (step - plan.startStep));
    const valLoss = await plan.batches.valLoss(model);
    const trainLoss = mean(recent.map((r) => r.loss));
    const improved = progress.bestValLoss === null || valLoss < progress.bestValLoss;
    if (improved) {
      progress.bestValLoss = valLoss;
      evalsWithoutGain = 0;
      if (best) tf.dispose(Object.values(best));
      best = snapshotWeights(model);
    } else {
      evalsWithoutGain++;
    }
    progress.history.push({ step, trainLoss, valLoss });
    onEvent({ type: 'eval', step, trainLoss, valLoss, best: improved });
    await save();
    controls.stepObserver?.interrupted();
    lastEvalStep = step;
    lastEvalTime = performance.now();
  };

  const save = async () => {
    const latest = snapshotWeights(model);
    // Fresh per-weight copies cut from the optimizer's flat buffers: ours to dispose.
    const optimizer = plan.optimizer.getState();
    try {
      await saveCheckpoint(plan.dir, {
        manifest: manifestOf(plan, { ...progress, step, wallSeconds: wallSeconds() }, controls.backend),
        tokenizer: plan.tokenizer,
        bestWeights: best ?? latest,
        resume: { weights: latest, optimizer: { step, tensors: optimizer.tensors } },
        ...(plan.keepFiles ? { files: plan.keepFiles } : {}),
      });
    } finally {
      tf.dispose([...Object.values(latest), ...Object.values(optimizer.tensors)]);
    }
    onEvent({ type: 'checkpoint', step, path: plan.dir });
  };

  try {
    for (;;) {
      if (plan.totalSteps !== null && step >= plan.totalSteps) break;
      if (plan.deadline !== null && Date.now() >= plan.deadline) {
        stoppedBy = 'time';
        break;
      }
      // A reply streaming in the chat goes first: wait here, between steps, until it ends.
      if (await controls.beforeStep?.()) controls.stepObserver?.interrupted();
      if (shouldStop()) {
        stoppedBy = 'stop';
        break;
      }
      const stepStarted = performance.now();
      const learningRate = learningRateAt(step, { ...train, decaySteps: progress.decaySteps });
      const batch = plan.batches.next(random);
      const lossTensor = tf.tidy(() => {
        const { value, grads } = gradients(model, plan.trainable, () => {
          const logits = model.apply(batch.x, true);
          return sparseCrossEntropy(tf.reshape(logits, [-1, logits.shape[2]]) as tf.Tensor2D, batch.y, batch.mask);
        });
        plan.optimizer.step(grads, learningRate);
        return value;
      });
      tf.dispose([batch.x, batch.y, ...(batch.mask ? [batch.mask] : [])]);
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();
      step++;
      const gpuError = controls.deviceError?.();
      if (gpuError) throw new Error(`the GPU reported an error, so results are unreliable (${gpuError}); train with --backend wasm`);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss}); try a lower learning rate`);
      const stepMs = performance.now() - stepStarted;
      controls.stepObserver?.recordStep(stepMs);
      recent.push({ loss, ms: stepMs, tokens: batch.tokens });
      if (recent.length > 20) recent.shift();
      if (step - plan.startStep === FIT_AFTER_STEPS) fitSchedule(mean(recent.map((r) => r.ms)));

      const msPerStep = mean(recent.map((r) => r.ms));
      onEvent({
        type: 'progress',
        step,
        totalSteps: plan.totalSteps,
        trainLoss: loss,
        tokensPerSec: (mean(recent.map((r) => r.tokens)) * 1000) / msPerStep,
        elapsedSeconds: wallSeconds(),
        etaSeconds: eta(plan, step, msPerStep),
        learningRate,
      });

      const dueByStep = step % train.evalInterval === 0;
      const dueByTime = (performance.now() - lastEvalTime) / 1000 >= MAX_SECONDS_BETWEEN_SAVES;
      if (dueByStep || dueByTime) {
        await evaluateAndSave();
        if (plan.patience > 0 && evalsWithoutGain >= plan.patience) {
          stoppedBy = 'early-stop';
          onEvent({ type: 'log', message: `early stop: validation loss has not improved for ${plan.patience} evaluations` });
          break;
        }
      }
    }
    if (step > lastEvalStep || progress.bestValLoss === null) await evaluateAndSave();
    const report = plan.finish ? await plan.finish(model, best, stoppedBy === 'early-stop') : undefined;
    if (report) {
      progress.report = report;
      await save();
    }
    return { name: plan.name, step, bestValLoss: progress.bestValLoss, stoppedBy, wallSeconds: wallSeconds(), report };
  } finally {
    if (best) tf.dispose(Object.values(best));
  }
}

function eta(plan: RunPlan, step: number, msPerStep: number): number | null {
  const bySteps = plan.totalSteps !== null ? ((plan.totalSteps - step) * msPerStep) / 1000 : null;
  const byTime = plan.deadline !== null ? Math.max(0, (plan.deadline - Date.now()) / 1000) : null;
  if (bySteps === null) return byTime;
  if (byTime === null) return bySteps;
  return Math.min(bySteps, byTime);
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** One entry for every kind of run: scratch, resume (TrainRequest) and fine-tune (FinetuneRequest). */
export async function runTraining(
  request: TrainingRequest,
  onEvent: (event: TrainEvent) => void,
  shouldStop: () => boolean,
  backend: string,
  hooks: Pick<LoopControls, 'beforeStep'> = {},
): Promise<TrainResult> {
  if (request.kind === 'finetune' && request.task === 'classify') {
    const { runClassify } = await import('../tasks/classify/train.js');
    return runClassify(request, onEvent, shouldStop, backend);
  }
  const plan = request.kind === 'finetune' ? await prepareFinetune(request) : await prepareTraining(request, backend);
  const threads = tuneBlasThreadsForRun();
  try {
    const deviceError = backend.startsWith('webgpu') ? webgpuDeviceError : undefined;
    const result = await trainLoop(plan, { onEvent, shouldStop, backend, stepObserver: threads?.tuner, deviceError, ...hooks });
    onEvent({ type: 'done', result });
    return result;
  } finally {
    threads?.finish();
    plan.dispose();
  }
}
