// Child process of test/robustness/kill-loop.test.ts: takes model k's lock in the models folder given as the
// first argument, then saves k again and again (full checkpoint with optimizer state) until it is killed.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import path from 'node:path';
import { loadResumeState, saveCheckpoint } from '../../src/engine/store/checkpoint.js';
import { lockModel } from '../../src/engine/store/lock.js';

const modelsDir = process.argv[2]!;
await tf.setBackend('cpu');
const dir = path.join(modelsDir, 'k');
await lockModel(modelsDir, 'k');
const state = await loadResumeState(dir);
let step = state.manifest.step;
console.log('ready');
for (;;) {
  step++;
  await saveCheckpoint(dir, {
    manifest: { ...state.manifest, step, history: [...state.manifest.history, { step, trainLoss: 1 }] },
    tokenizer: state.tokenizer!,
    bestWeights: state.weights,
    resume: { weights: state.weights, optimizer: { ...state.optimizer, step } },
  });
}
