// One entry for every kind of run: scratch, resume (TrainRequest) and fine-tune (FinetuneRequest).
import { prepareTraining } from './run-setup.js';
import { prepareFinetune } from './finetune.js';
import { trainLoop, type LoopControls } from './train.js';
import { tuneBlasThreadsForRun } from '../runtime/blas-threads.js';
import { webgpuDeviceError } from '../runtime/backend-webgpu.js';
import type { TrainEvent, TrainingRequest, TrainResult } from '../types.js';

export async function runTraining(
  request: TrainingRequest,
  onEvent: (event: TrainEvent) => void,
  shouldStop: () => boolean,
  backend: string,
  hooks: Pick<LoopControls, 'beforeStep'> = {},
): Promise<TrainResult> {
  if (request.kind === 'finetune' && request.task === 'classify') {
    const { runClassify } = await import('../tasks/classify/train.js');
    return runClassify(request, onEvent, shouldStop, backend);
  }
  const plan = request.kind === 'finetune' ? await prepareFinetune(request) : await prepareTraining(request, backend);
  const threads = tuneBlasThreadsForRun();
  try {
    const deviceError = backend.startsWith('webgpu') ? webgpuDeviceError : undefined;
    const result = await trainLoop(plan, { onEvent, shouldStop, backend, stepObserver: threads?.tuner, deviceError, ...hooks });
    onEvent({ type: 'done', result });
    return result;
  } finally {
    threads?.finish();
    plan.dispose();
  }
}
