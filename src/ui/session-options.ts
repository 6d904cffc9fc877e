// What a chat session is built from: folders, the engine behind it, and the backend it reports.
import type { BackendName, TrainingRequest } from '../engine/types.js';
import type { SessionDeps } from './engine-deps.js';

export interface SessionOptions {
  modelsDir: string;
  /** Settings and input history live here. */
  configDir: string;
  deps: SessionDeps;
  /** The backend actually running, as shown in the status bar. */
  backendLabel: string;
  /** Everything about it (threads, skipped backends, accelerations), for /show. */
  backendDetail?: string;
  /** The backend asked for, passed on to commands and training. */
  backend?: BackendName;
  /** The model to open first (`inkling chat MODEL`); otherwise the last used one. */
  openModel?: string;
  /** What to train when there is no model at all. */
  firstRunTraining?: (modelsDir: string) => TrainingRequest;
  /** Input history cap (tests use small ones). */
  historyLimit?: number;
  /** Least time between change notifications (0: every change; tests). */
  frameMs?: number;
}
