// Why a model named in the chat did not open, in one line the user can act on: a run that has not
// saved yet says when it will; a missing name gets a close one and points to /models.
import { missingModel } from '../commands/model-lookup.js';
import { firstLine } from '../engine/first-line.js';
import { ModelNotFoundError } from '../engine/store/registry.js';
import type { TrainingTracker } from './training-tracker.js';

export async function explainLoadFailure(
  name: string,
  err: unknown,
  tracker: TrainingTracker | null,
  listModels: () => Promise<string[]>,
): Promise<string> {
  if (tracker?.isRunning && tracker.request.name === name && !tracker.hasSaved) return tracker.notSavedYet();
  if (!(err instanceof ModelNotFoundError)) return firstLine(err);
  return missingModel(name, await listModels().catch(() => []), 'chat');
}
