// Starts a training worker and relays its events; the main thread (UI or CLI) never blocks on training.
import { Worker } from 'node:worker_threads';
import type { TrainEvent, TrainingRequest, TrainResult } from '../types.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

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

/** Run training or fine-tuning in a worker_threads worker; events arrive on the main thread. */
export function startTraining(request: TrainingRequest, onEvent: (event: TrainEvent) => void): TrainingHandle {
  const stopFlag = new SharedArrayBuffer(4);
  const input: WorkerInput = { request, stopFlag };
  // execArgv: [] so test runners' loader flags (vitest) do not leak into the worker.
  const worker = new Worker(workerUrl(), { workerData: input, execArgv: [] });
  let settled = false;
  const done = new Promise<TrainResult>((resolve, reject) => {
    const finish = (error: Error | null, result?: TrainResult) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error) reject(error);
      else resolve(result!);
    };
    worker.on('message', (message: WorkerMessage) => {
      onEvent(message);
      if (message.type === 'done') finish(null, message.result);
      if (message.type === 'error') finish(new Error(message.message));
    });
    worker.on('error', (error) => {
      const message = error.message.split('\n')[0];
      onEvent({ type: 'error', message });
      finish(new Error(message));
    });
    worker.on('exit', (code) => finish(new Error(`training worker exited unexpectedly (code ${code})`)));
  });
  return {
    stop: () => Atomics.store(new Int32Array(stopFlag), 0, 1),
    done,
  };
}
