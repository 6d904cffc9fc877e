// Messages between the main thread and a worker: a training run, or an evaluation (so /eval never
// blocks the chat either).
import type { BackendName, TrainEvent, TrainingRequest } from '../../types.js';
import type { EvalReport } from '../../training/evaluate.js';

/** Sent once, as workerData. */
export type WorkerInput =
  | {
      job: 'train';
      request: TrainingRequest;
      /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when a stop is asked for. */
      stopFlag: SharedArrayBuffer;
      /** The main thread's ReplyGate buffer: the run pauses between steps while a reply streams. */
      replies: SharedArrayBuffer;
    }
  | { job: 'eval'; dir: string; corpus?: string; backend?: BackendName; perToken?: boolean };

/** A training worker posts TrainEvents ('done' or 'error' last); an eval worker posts one of these. */
export type WorkerMessage = TrainEvent | { type: 'eval-report'; report: EvalReport };
