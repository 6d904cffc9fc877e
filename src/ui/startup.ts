// What the chat opens on: the last used model, else the shipped base model (a sensible default, where
// the alphabetically first user model may be a tiny test run), else the first listed one, else a
// first model trained in the background.
import type { TrainingRequest } from '../engine/types.js';
import { BASE_MODEL } from '../engine/store/paths.js';
import { firstLine } from '../engine/first-line.js';

export interface StartupSteps {
  /** The model asked for on the command line (`inkling chat MODEL`): opened before the last used one. */
  requested?: string;
  lastModel: string | null;
  /** The shipped model to fall back on (BASE_MODEL unless a test says otherwise). */
  baseModel?: string;
  listModels(): Promise<string[]>;
  /** false: a model the user asked for (/use) while this one loaded came first; startup then stops. */
  use(name: string): Promise<boolean | void>;
  firstRun: TrainingRequest;
  startTraining(request: TrainingRequest): void;
  note(kind: 'info' | 'error', text: string): void;
}

export const defaultFirstRunTraining = (modelsDir: string): TrainingRequest => ({
  kind: 'train',
  name: 'starter',
  modelsDir,
  corpus: 'gutenberg',
  arch: 'gpt',
  tokenizer: 'char',
  command: 'inkling train --name starter --corpus gutenberg --arch gpt --tokenizer char',
});

export async function openFirstModel(steps: StartupSteps): Promise<void> {
  if (steps.requested) {
    try {
      if ((await steps.use(steps.requested)) === false) return;
      steps.note('info', `Loaded ${steps.requested}. Type a prompt, or /help.`);
      return;
    } catch (err) {
      steps.note('error', `Could not open ${steps.requested}: ${firstLine(err)}`);
    }
  }
  const last = steps.lastModel;
  let lastProblem: string | null = null;
  if (last) {
    try {
      if ((await steps.use(last)) === false) return;
      steps.note('info', `Loaded ${last}, the model you used last. Type a prompt, or /help.`);
      return;
    } catch (err) {
      lastProblem = firstLine(err);
    }
  }
  const base = steps.baseModel ?? BASE_MODEL;
  const names = await steps.listModels().catch(() => [] as string[]);
  const order = [...names.filter((n) => n === base), ...names.filter((n) => n !== base)];
  for (const name of order.filter((n) => n !== last)) {
    try {
      if ((await steps.use(name)) === false) return;
      const what = name === base ? `${name}, the shipped base model` : name;
      // One line: why the last model did not open, and what opened instead.
      steps.note('info', lastProblem ? `Could not open ${last}, the model you used last (${lastProblem}): opened ${what} instead.` : `Loaded ${what}. Type a prompt, or /help.`);
      return;
    } catch (err) {
      steps.note('info', `Skipped ${name}: ${firstLine(err)}`);
    }
  }
  if (lastProblem) steps.note('info', `Could not open ${last}, the model you used last: ${lastProblem}`);
  const request = steps.firstRun;
  steps.note('info', `No model yet: training ${request.name} in the background. Chat works as soon as its first checkpoint lands.`);
  try {
    steps.startTraining(request);
  } catch (err) {
    steps.note('error', firstLine(err));
  }
}

/** A run's checkpoint landed while no model is open: it becomes the one the chat replies with. */
export function openCheckpoint(name: string, step: number, use: (name: string) => Promise<void>, note: (kind: 'info' | 'error', text: string) => void): void {
  use(name).then(
    () => note('info', `Loaded ${name} at step ${step}: type a prompt to chat with it.`),
    (err) => note('error', `Could not load ${name}'s checkpoint: ${firstLine(err)}`),
  );
}
