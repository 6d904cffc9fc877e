/**
 * Hand-run A/B probe (not a test): training-step time of the bench workloads' models with OpenBLAS on 1 thread
 * and on 2, alternating in one process so machine load hits both alike. Decides the default BLAS threads of a run.
 * Usage: npx tsx bench/threads-probe.ts [--workload a,b,c] [--rounds 6] [--steps 4]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { loadNativeBlas } from '../src/engine/kernels/native-blas.js';
import { createModel, gradients } from '../src/engine/models/index.js';
import { sparseCrossEntropy } from '../src/engine/training/loss.js';
import { AdamW } from '../src/engine/training/optim.js';
import type { ModelConfig, TrainConfig } from '../src/engine/types.js';

const BASE: TrainConfig = {
  batchSize: 12, seqLength: 64, learningRate: 1e-3, minLearningRate: 1e-3, warmupSteps: 0, decaySteps: 0,
  weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1, evalInterval: 100, evalBatches: 1,
};
const SHAPES: Record<string, { config: ModelConfig; train: TrainConfig }> = {
  a: { config: { arch: 'gpt', vocabSize: 65, contextLength: 64, layers: 4, heads: 4, embedding: 128, dropout: 0 }, train: BASE },
  b: { config: { arch: 'lstm', vocabSize: 65, embedding: 64, hidden: 256, layers: 1, dropout: 0 }, train: { ...BASE, batchSize: 32 } },
  c: { config: { arch: 'lstm', vocabSize: 10001, embedding: 128, hidden: 256, layers: 1, dropout: 0 }, train: { ...BASE, batchSize: 32, seqLength: 32 } },
};

const { values } = parseArgs({ options: { workload: { type: 'string', default: 'a,b,c' }, rounds: { type: 'string', default: '6' }, steps: { type: 'string', default: '4' } } });
await initBackend('wasm');
const blas = loadNativeBlas().blas;
if (!blas) throw new Error('native BLAS is off: nothing to compare');
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];

for (const id of values.workload.split(',')) {
  const { config, train } = SHAPES[id];
  const model = createModel(config, 1337);
  const optimizer = new AdamW(model.weights, train);
  const { batchSize: B, seqLength: T } = train;
  let n = 0;
  const step = async () => {
    const ids = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + n++ * 13) % config.vocabSize);
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(ids.slice(0, B * T), [B, T], 'int32');
      const y = tf.tensor1d(ids.slice(B), 'int32');
      const { value, grads } = gradients(model, null, () =>
        sparseCrossEntropy(tf.reshape(model.apply(x, true), [-1, config.vocabSize]) as tf.Tensor2D, y));
      optimizer.step(grads, train.learningRate);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const times: Record<number, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const threads of r % 2 === 0 ? [1, 2] : [2, 1]) {
      blas.setThreads(threads);
      for (let s = 0; s < Number(values.steps); s++) {
        const t0 = performance.now();
        await step();
        times[threads].push(performance.now() - t0);
      }
    }
  }
  blas.setThreads(1);
  const tokens = B * T;
  const rate = (t: number[]) => Math.round((tokens * 1000) / median(t));
  console.log(JSON.stringify({ workload: id, oneThread: rate(times[1]), twoThreads: rate(times[2]), ratio: +(median(times[1]) / median(times[2])).toFixed(2) }));
  optimizer.dispose?.();
  model.dispose();
}
