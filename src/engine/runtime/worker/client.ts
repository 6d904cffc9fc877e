// Starts workers and relays their messages; the main thread (UI or CLI) never blocks on training or eval.
import { Worker } from 'node:worker_threads';
import type { BackendName, TrainEvent, TrainingRequest, TrainResult } from '../../types.js';
import type { EvalReport } from '../../training/evaluate.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { replyGate } from './run-control.js';
import { lockModel } from '../../store/lock.js';
import { validateModelName } from '../../store/names.js';
import { shippedModelNames, shippedModelsDir } from '../../store/paths.js';
import path from 'node:path';
import { firstLine } from '../../first-line.js';

export interface TrainingHandle {
  /** Ask the run to stop after saving a checkpoint. */
  stop(): void;
  /** Resolves with the result, rejects with a one-line Error. */
  done: Promise<TrainResult>;
}

/** From a tsc build the entry is plain .js; from a checkout under tsx it goes through the bootstrap. */
function workerUrl(): URL {
  const compiled = import.meta.url.endsWith('.js');
  return new URL(compiled ? './entry.js' : './bootstrap.mjs', import.meta.url);
}

/**
 * The wasm backend stops a job with "Aborted(). Build with -sASSERTIONS ..." when its heap runs out: say what
 * that means in one line. Saves are atomic, so the last checkpoint on disk is intact.
 */
export function explainAbort(message: string, job: WorkerInput['job']): string {
  if (!/\bAborted\(/.test(message)) return message;
  const what = job === 'train' ? 'training stopped; the last saved checkpoint is kept' : 'evaluation stopped';
  return `the wasm backend ran out of memory (Aborted()): ${what} — try a smaller --batch, context or model`;
}

/**
 * Run one job in a worker. `onMessage` sees every message and returns a value to finish with, or
 * undefined to go on; an 'error' message, a crash or an early exit rejects with one line.
 */
function runJob<T>(input: WorkerInput, onMessage: (message: WorkerMessage) => T | undefined, onError: (message: string) => void = () => {}): Promise<T> {
  // execArgv: [] so test runners' loader flags (vitest) do not leak into the worker.
  const worker = new Worker(workerUrl(), { workerData: input, execArgv: [] });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, value?: T) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(value as T);
    };
    worker.on('message', (message: WorkerMessage) => {
      const value = onMessage(message);
      if (message.type === 'error') finish(new Error(explainAbort(message.message, input.job)));
      else if (value !== undefined) finish(null, value);
    });
    worker.on('error', (error) => {
      const message = explainAbort(firstLine(error, ''), input.job);
      onError(message);
      finish(new Error(message));
    });
    worker.on('exit', (code) => finish(new Error(`worker exited unexpectedly (code ${code})`)));
  });
}

/** Run training or fine-tuning in a worker_threads worker; events arrive on the main thread. */
export function startTraining(request: TrainingRequest, onEvent: (event: TrainEvent) => void): TrainingHandle {
  const stopFlag = new SharedArrayBuffer(4);
  const stop = () => Atomics.store(new Int32Array(stopFlag), 0, 1);
  // The model's lock is held here, on the main thread, for the whole run: a second run of the name is refused
  // at start (store/lock.ts), and the lock stays fresh even while the worker is busy with a long step.
  const done = (async () => {
    validateModelName(request.name);
    const fresh = request.kind === 'finetune' || !request.resume;
    if (fresh && path.resolve(request.modelsDir) !== path.resolve(shippedModelsDir()) && shippedModelNames().includes(request.name)) {
      throw new Error(`${request.name} is the name of a shipped model: choose another --name`);
    }
    const release = await lockModel(request.modelsDir, request.name, () => {
      onEvent({ type: 'error', message: `lost the lock of model ${request.name} (its lock folder was changed by someone else): stopping after a save` });
      stop();
    });
    try {
      return await runJob<TrainResult>(
        { job: 'train', request, stopFlag, replies: replyGate.buffer },
        (message) => {
          if (message.type === 'eval-report') return undefined;
          onEvent(message.type === 'error' ? { ...message, message: explainAbort(message.message, 'train') } : message);
          return message.type === 'done' ? message.result : undefined;
        },
        (message) => onEvent({ type: 'error', message }),
      );
    } finally {
      await release();
    }
  })();
  return { stop, done };
}

/** Evaluate a model folder in a worker (held-out loss, perplexity, continuation check). */
export function evaluateInWorker(
  dir: string,
  options: { corpus?: string; backend?: BackendName; perToken?: boolean } = {},
): Promise<EvalReport> {
  return runJob<EvalReport>({ job: 'eval', dir, ...options }, (message) => (message.type === 'eval-report' ? message.report : undefined));
}
