// The session's dependencies bound to the real engine, worker client and command dispatcher.
import { completeInput, runCommandLine } from '../commands/dispatch.js';
import { loadModel } from '../engine/store/checkpoint.js';
import { modelSearchDirs } from '../engine/store/paths.js';
import { findModel, listModels } from '../engine/store/registry.js';
import { generate } from '../engine/sample.js';
import { startTraining } from '../engine/runtime/worker/client.js';
import { withReplyPriority } from '../engine/runtime/worker/run-control.js';
import type { SessionDeps } from './engine-deps.js';
import type { LoadedModel } from '../engine/store/checkpoint.js';
import { Classifier } from '../engine/tasks/classify/model.js';
import { classificationLines } from '../commands/classify.js';
import { runDownload } from '../commands/hf-download.js';

async function classifyLines(loaded: LoadedModel, text: string): Promise<string[]> {
  const classifier = await Classifier.attach(loaded);
  try {
    const [result] = await classifier.classify([text]);
    return classificationLines(result!, classifier.info);
  } finally {
    classifier.dispose();
  }
}

export function realEngine(modelsDir: string): SessionDeps {
  const dirs = modelSearchDirs(modelsDir);
  return {
    listModels: async () => (await listModels(dirs)).filter((entry) => entry.ok).map((entry) => entry.name),
    loadModel: async (name) => loadModel(await findModel(dirs, name)),
    // Replies (and /compare) hold the reply gate: a background training run pauses between steps meanwhile.
    generate: withReplyPriority(generate),
    probe: {
      readNext: async (loaded, prompt, top) => (await import('../engine/stepper.js')).readNextToken(loaded, prompt, top),
      startStepper: async (loaded, prompt, options, top) => (await import('../engine/stepper.js')).Stepper.start(loaded, prompt, options, top),
    },
    classify: classifyLines,
    startTraining,
    runCommandLine,
    runDownload,
    completeInput,
  };
}
