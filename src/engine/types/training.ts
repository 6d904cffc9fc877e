// Training-run contracts: requests to the worker, the events it sends back and its result (re-exported by ../types.ts).
import type { Arch, BackendName, ClassifyReport, FinetuneReport, GptConfig, RnnConfig, TokenizerKind, TrainConfig } from '../types.js';


export interface TrainRequest {
  kind: 'train';
  name: string;
  modelsDir: string;
  /** Corpus name or path to a UTF-8 text file. */
  corpus: string;
  arch: Arch;
  tokenizer: TokenizerKind;
  preset?: string;
  /** Model and optimisation overrides on top of the preset (e.g. layers, batchSize, learningRate). */
  overrides?: Partial<Omit<GptConfig, 'arch' | 'vocabSize'>> &
    Partial<Omit<RnnConfig, 'arch' | 'vocabSize'>> &
    Partial<TrainConfig> & { vocabLimit?: number; lowercase?: boolean };
  steps?: number;
  minutes?: number;
  seed?: number;
  resume?: boolean;
  /** With resume: start the optimizer fresh from the best weights (its saved state is broken or missing). */
  resetOptimizer?: boolean;
  /** Stop when validation loss has not improved for this many evaluations (0: never). */
  patience?: number;
  backend?: BackendName;
  command?: string;
}

export interface FinetuneRequest {
  kind: 'finetune';
  name: string;
  modelsDir: string;
  from: string;
  /** A corpus name or file path; or `text` with the data itself. */
  data?: string;
  text?: string;
  steps?: number;
  minutes?: number;
  learningRate?: number;
  freeze?: number;
  /** Sequences per step (default: the base's own batch). */
  batchSize?: number;
  /** Train low-rank adapters (models/lora.ts) instead of the weights themselves. */
  lora?: { rank: number; alpha: number; dropout: number };
  seed?: number;
  patience?: number;
  backend?: BackendName;
  command?: string;
  /** Classification on top of the base instead of more language modelling. */
  task?: 'classify';
  classify?: ClassifyOptions;
}

export interface ClassifyOptions {
  textColumn?: string;
  labelColumn?: string;
  /** Held-out share for the stratified split. */
  val?: number;
  pool?: 'last' | 'mean';
  /** Unfreeze the top N blocks (layers) of the base for a second stage at a lower learning rate. */
  unfreeze?: number;
  balance?: boolean;
  epochs?: number;
  resume?: boolean;
}

export type TrainingRequest = TrainRequest | FinetuneRequest;

export type TrainEvent =
  | {
      type: 'start';
      name: string;
      backend: string;
      totalSteps: number | null;
      startStep: number;
      params: number;
      message: string;
      /** When checkpoints land: every `steps` steps, and at least every `seconds` (so the chat can say when a new run becomes usable). */
      saveEvery?: { steps: number; seconds: number };
      /** A classifier run (finetune --task classify): epochs over cached features, not LM steps. */
      task?: 'classify';
    }
  | {
      type: 'progress';
      step: number;
      totalSteps: number | null;
      trainLoss: number;
      tokensPerSec: number;
      elapsedSeconds: number;
      etaSeconds: number | null;
      learningRate: number;
    }
  | { type: 'eval'; step: number; trainLoss: number; valLoss: number; best: boolean }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'log'; message: string }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; message: string };

export interface TrainResult {
  name: string;
  step: number;
  bestValLoss: number | null;
  stoppedBy: 'steps' | 'time' | 'stop' | 'early-stop';
  wallSeconds: number;
  report?: FinetuneReport;
  classifyReport?: ClassifyReport;
}
