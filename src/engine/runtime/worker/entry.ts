// The worker: picks its backend, runs a training request or an evaluation, posts messages back.
// A stop arrives through a shared flag, read between steps, so it needs no event-loop turn.
import { parentPort, workerData } from 'node:worker_threads';
import { backendLabel, initBackend } from '../backend.js';
import { runTraining } from '../../training/train.js';
import { firstLine } from '../../first-line.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { ReplyGate } from './run-control.js';

const post = (message: WorkerMessage) => parentPort!.postMessage(message);

async function train(input: Extract<WorkerInput, { job: 'train' }>): Promise<void> {
  const stop = new Int32Array(input.stopFlag);
  const info = await initBackend(input.request.backend ?? 'auto');
  // No backend line here: the app or CLI printed one already, and the run's start line names the label.
  // The label names the GPU adapter or native BLAS, and goes into the manifest as what trained it.
  const stopped = () => Atomics.load(stop, 0) === 1;
  const gate = new ReplyGate(input.replies);
  await runTraining(input.request, post, stopped, backendLabel(info), { beforeStep: () => gate.waitForReplies(stopped) });
}

async function evaluate(input: Extract<WorkerInput, { job: 'eval' }>): Promise<void> {
  await initBackend(input.backend ?? 'auto');
  const { loadModel } = await import('../../store/checkpoint.js');
  const { evaluateModel } = await import('../../training/evaluate.js');
  const loaded = await loadModel(input.dir);
  try {
    const options = { ...(input.corpus === undefined ? {} : { corpus: input.corpus }), ...(input.perToken ? { perToken: true } : {}) };
    post({ type: 'eval-report', report: await evaluateModel(loaded, options) });
  } finally {
    loaded.dispose();
  }
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  try {
    await (input.job === 'eval' ? evaluate(input) : train(input));
  } catch (error) {
    post({ type: 'error', message: firstLine(error, 'the worker failed') });
  }
}

void main();
