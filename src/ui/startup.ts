// What the chat opens on: the last used model, else the first listed one (the user's, then the
// shipped ones), else a first model trained in the background.
import type { TrainingRequest } from '../engine/types.js';
import { oneLine } from './one-line.js';

export interface StartupSteps {
  lastModel: string | null;
  listModels(): Promise<string[]>;
  use(name: string): Promise<void>;
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
  const last = steps.lastModel;
  if (last) {
    try {
      await steps.use(last);
      steps.note('info', `Loaded ${last}, the model you used last. Type a prompt, or /help.`);
      return;
    } catch (err) {
      steps.note('info', `Could not load ${last}, the model you used last: ${oneLine(err)}`);
    }
  }
  const names = await steps.listModels().catch(() => [] as string[]);
  for (const name of names.filter((n) => n !== last)) {
    try {
      await steps.use(name);
      steps.note('info', `Loaded ${name}. Type a prompt, or /help.`);
      return;
    } catch (err) {
      steps.note('info', `Skipped ${name}: ${oneLine(err)}`);
    }
  }
  const request = steps.firstRun;
  steps.note('info', `No model yet: training ${request.name} in the background. Chat works as soon as its first checkpoint lands.`);
  try {
    steps.startTraining(request);
  } catch (err) {
    steps.note('error', oneLine(err));
  }
}
