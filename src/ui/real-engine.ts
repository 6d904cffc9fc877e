// The session's dependencies bound to the real engine, worker client and command dispatcher.
import { completeInput, runCommandLine } from '../commands/dispatch.js';
import { loadModel } from '../engine/store/checkpoint.js';
import { shippedModelsDir } from '../engine/store/paths.js';
import { findModel, listModels } from '../engine/store/registry.js';
import { generate } from '../engine/sample.js';
import { startTraining } from '../engine/runtime/worker/client.js';
import type { SessionDeps } from './engine-deps.js';

export function realEngine(modelsDir: string): SessionDeps {
  // The user's models first, so a run of theirs shadows a shipped model of the same name.
  const dirs = [...new Set([modelsDir, shippedModelsDir()])];
  return {
    listModels: async () => (await listModels(dirs)).filter((entry) => entry.ok).map((entry) => entry.name),
    loadModel: async (name) => loadModel(await findModel(dirs, name)),
    generate,
    startTraining,
    runCommandLine,
    completeInput,
  };
}
