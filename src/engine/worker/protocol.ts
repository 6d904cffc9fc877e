// Messages between the main thread and the training worker.
import type { TrainEvent, TrainingRequest } from '../types.js';

/** Sent once, as workerData: the request and a shared flag the main thread sets to stop. */
export interface WorkerInput {
  request: TrainingRequest;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when a stop is asked for. */
  stopFlag: SharedArrayBuffer;
}

/** Everything the worker posts back is a TrainEvent; 'done' or 'error' is the last. */
export type WorkerMessage = TrainEvent;
