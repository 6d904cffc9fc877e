// One entry for every kind of run: scratch, resume (TrainRequest) and fine-tune (FinetuneRequest).
import { prepareTraining } from './run-setup.js';
import { prepareFinetune } from './finetune.js';
import { trainLoop } from './train.js';
import type { TrainEvent, TrainingRequest, TrainResult } from './types.js';

export async function runTraining(
  request: TrainingRequest,
  onEvent: (event: TrainEvent) => void,
  shouldStop: () => boolean,
  backend: string,
): Promise<TrainResult> {
  const setup = request.kind === 'finetune' ? await prepareFinetune(request) : await prepareTraining(request, backend);
  try {
    const result = await trainLoop(setup, { onEvent, shouldStop, backend });
    onEvent({ type: 'done', result });
    return result;
  } finally {
    setup.dispose();
  }
}
