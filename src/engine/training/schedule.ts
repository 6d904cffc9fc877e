// A time-budgeted run (--minutes) cannot know its step count in advance, yet the cosine schedule needs one: a
// preset's 2000-step decay left a 40-minute run at the minimum rate for most of its steps, and a slow machine
// stopped before the rate had come down. So such a run fits the decay to the steps its pace allows, early and
// again at each evaluation (nanoGPT's advice: lr_decay_iters ~= max_iters).
import type { TrainConfig } from '../types.js';

/** Steps after which the first estimate is made (a few steps in, past the first slow ones). */
export const FIT_AFTER_STEPS = 20;
/** Spare time for evaluations and saves not yet seen in the pace. */
const SAFETY = 0.95;

/**
 * The decay length that ends the cosine at the deadline: the steps done plus those that fit in the time left at
 * `msPerStep`, never within the warm-up.
 */
export function fittedDecaySteps(step: number, msPerStep: number, msLeft: number, train: Pick<TrainConfig, 'warmupSteps'>): number {
  const more = msPerStep > 0 ? Math.floor((Math.max(0, msLeft) * SAFETY) / msPerStep) : 0;
  return Math.max(train.warmupSteps + 1, step + more);
}

/** Whether a run's schedule may be fitted to its deadline: a budget, a decaying schedule, and no decay set by the user. */
export function canFitSchedule(request: { minutes?: number; steps?: number; overrides?: { decaySteps?: number } }, train: TrainConfig): boolean {
  return (
    request.minutes !== undefined &&
    request.steps === undefined &&
    request.overrides?.decaySteps === undefined &&
    train.decaySteps > 0 &&
    train.minLearningRate < train.learningRate
  );
}
