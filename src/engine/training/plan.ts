// A run's plan: everything fixed before its first step, whether it trains from scratch, resumes or
// fine-tunes (run-setup.ts and finetune.ts build it with planFrom). The loop (train.ts) reads it and
// never writes it: what changes during the run (history, best weights, the fitted decay) is the loop's
// RunProgress, and a checkpoint's manifest is the plan plus that progress (manifestOf).
import type * as tf from '@tensorflow/tfjs-core';
import type { TokenSplits } from '../data/dataset.js';
import type { AdamW } from './optim.js';
import { textBatches, type BatchSource } from './batches.js';
import type { FinetuneReport, HistoryPoint, LanguageModel, Manifest, Tokenizer, TrainConfig } from '../types.js';

/** The manifest fields fixed for the whole run. */
export type ManifestBase = Omit<Manifest, 'step' | 'bestValLoss' | 'history' | 'params' | 'backend' | 'wallSeconds' | 'updatedAt'>;

/** Where an earlier run left off (a resume); a new run starts from NEW_RUN. */
export interface EarlierRun {
  readonly history: readonly HistoryPoint[];
  readonly bestValLoss: number | null;
  /** Best weights so far, or null; the loop takes them over and disposes them. */
  readonly best: Record<string, tf.Tensor> | null;
  readonly wallSeconds: number;
}

export const NEW_RUN: EarlierRun = { history: [], bestValLoss: null, best: null, wallSeconds: 0 };

export interface RunPlan {
  readonly name: string;
  readonly dir: string;
  readonly model: LanguageModel;
  readonly tokenizer: Tokenizer;
  readonly train: Readonly<TrainConfig>;
  /** The training batches and the held-out loss (text windows, or conversations with a loss mask). */
  readonly batches: BatchSource;
  readonly optimizer: AdamW;
  /** Names of the weights the optimizer updates (all but frozen ones). */
  readonly trainable: ReadonlySet<string>;
  readonly seed: number;
  readonly startStep: number;
  /** Absolute step to stop at, or null for a time budget only. */
  readonly totalSteps: number | null;
  /** Epoch ms to stop at (--minutes), or null. */
  readonly deadline: number | null;
  /** Fit the schedule's decay to the steps the deadline allows (schedule.ts). */
  readonly fitSchedule: boolean;
  /** Evaluations without improvement before stopping early; 0 never stops early. */
  readonly patience: number;
  readonly earlier: EarlierRun;
  readonly manifest: ManifestBase;
  readonly startMessage: string;
  /** Text files saved with every checkpoint (a pasted fine-tune text, so the run can resume). */
  readonly keepFiles?: Readonly<Record<string, string>>;
  /** Fine-tuning: compute the base-vs-variant report at the end. */
  readonly finish?: (model: LanguageModel, best: Record<string, tf.Tensor> | null, stoppedEarly: boolean) => Promise<FinetuneReport>;
  dispose(): void;
}

/** What a builder must give (text `splits` or its own `batches`); the rest defaults to a new run (step 0, no earlier history, no schedule fitting). */
export type PlanInput = Omit<RunPlan, 'startStep' | 'fitSchedule' | 'earlier' | 'batches'> &
  Partial<Pick<RunPlan, 'startStep' | 'fitSchedule' | 'earlier'>> &
  ({ splits: TokenSplits; batches?: undefined } | { batches: BatchSource; splits?: undefined });

export function planFrom(input: PlanInput): RunPlan {
  const { splits, batches, ...rest } = input;
  return Object.freeze({ startStep: 0, fitSchedule: false, earlier: NEW_RUN, ...rest, batches: batches ?? textBatches(splits!, input.train) });
}

/** What the loop changes as the run goes; manifestOf turns it and the plan into a checkpoint's manifest. */
export interface RunProgress {
  step: number;
  bestValLoss: number | null;
  history: HistoryPoint[];
  /** The schedule's decay, fitted to the deadline when the plan asks for it. */
  decaySteps: number;
  /** The fine-tune report, once computed at the end. */
  report?: FinetuneReport;
  /** Seconds of training so far, earlier runs included. */
  wallSeconds: number;
}

/** The manifest of a checkpoint: the plan's fixed fields plus the run's progress. */
export function manifestOf(plan: RunPlan, progress: RunProgress, backend: string): Manifest {
  const { manifest } = plan;
  return {
    ...manifest,
    train: { ...manifest.train, decaySteps: progress.decaySteps },
    ...(progress.report && manifest.finetune ? { finetune: { ...manifest.finetune, report: progress.report } } : {}),
    step: progress.step,
    bestValLoss: progress.bestValLoss,
    history: progress.history,
    params: plan.model.parameterCount(),
    backend,
    wallSeconds: Math.round(progress.wallSeconds * 10) / 10,
    updatedAt: new Date().toISOString(),
  };
}
