// STUB: signatures fixed; implementation in progress.
import type { TrainEvent, TrainingRequest, TrainResult } from '../types.js';

export interface TrainingHandle {
  /** Ask the run to stop after saving a checkpoint. */
  stop(): void;
  /** Resolves with the result, rejects with a one-line Error. */
  done: Promise<TrainResult>;
}

/** Run training or fine-tuning in a worker_threads worker; events arrive on the main thread. */
export function startTraining(request: TrainingRequest, onEvent: (event: TrainEvent) => void): TrainingHandle {
  throw new Error(`not implemented: startTraining ${request.name} ${typeof onEvent}`);
}
