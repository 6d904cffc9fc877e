// The training worker: picks its backend, runs the request, posts TrainEvents back.
// A stop arrives through a shared flag, read between steps, so it needs no event-loop turn.
import { parentPort, workerData } from 'node:worker_threads';
import { describeBackend, initBackend } from '../backend.js';
import { runTraining } from '../run.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';

async function main(): Promise<void> {
  const { request, stopFlag } = workerData as WorkerInput;
  const stop = new Int32Array(stopFlag);
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  try {
    const info = await initBackend(request.backend ?? 'auto');
    post({ type: 'log', message: describeBackend(info) });
    await runTraining(request, post, () => Atomics.load(stop, 0) === 1, info.name);
  } catch (error) {
    post({ type: 'error', message: oneLine(error) });
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'training failed';
}

void main();
