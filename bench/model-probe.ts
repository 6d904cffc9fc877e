/**
 * Hand-run A/B probe of the model code (not a test): kernel calls and milliseconds per training step and per
 * sampled token, for the bench workloads' model shapes on wasm. It loads the models from this tree and,
 * with `--base DIR`, also from another checkout's `src/` (e.g. `git archive HEAD src | tar -x -C DIR`
 * plus a node_modules symlink), alternating the two in one process so machine load hits both alike.
 * Usage: npx tsx bench/model-probe.ts [--workload a,b,c] [--base DIR] [--repeats 5]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import type { LanguageModel, ModelConfig, TrainConfig } from '../src/engine/types.js';

type Family = {
  label: string;
  createModel: (c: ModelConfig, seed: number) => LanguageModel;
  sparseCrossEntropy: (l: tf.Tensor2D, t: tf.Tensor1D) => tf.Scalar;
  gradients: typeof import('../src/engine/models/index.js').gradients;
  AdamW: typeof import('../src/engine/training/optim.js').AdamW;
};

async function loadFamily(label: string, src: string): Promise<Family> {
  const models = await import(path.join(src, 'engine/models/index.ts'));
  // Trees from before the engine/training/ move keep these at engine/ (the probe compares two trees).
  const either = async (a: string, b: string) => import(path.join(src, a)).catch(() => import(path.join(src, b)));
  const loss = await either('engine/training/loss.ts', 'engine/loss.ts');
  const optim = await either('engine/training/optim.ts', 'engine/optim.ts');
  return { label, createModel: models.createModel, gradients: models.gradients, sparseCrossEntropy: loss.sparseCrossEntropy, AdamW: optim.AdamW };
}

const TRAIN: TrainConfig = {
  batchSize: 12, seqLength: 64, learningRate: 1e-3, minLearningRate: 1e-3, warmupSteps: 0, decaySteps: 0,
  weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1, evalInterval: 100, evalBatches: 1,
};
const SHAPES: Record<string, { config: ModelConfig; train: TrainConfig }> = {
  a: { config: { arch: 'gpt', vocabSize: 65, contextLength: 64, layers: 4, heads: 4, embedding: 128, dropout: 0 }, train: TRAIN },
  b: {
    config: { arch: 'lstm', vocabSize: 65, embedding: 64, hidden: 256, layers: 1, dropout: 0 },
    train: { ...TRAIN, batchSize: 32, seqLength: 64, weightDecay: 0, gradClip: 0, beta2: 0.999 },
  },
  c: {
    config: { arch: 'lstm', vocabSize: 10001, embedding: 128, hidden: 256, layers: 1, dropout: 0 },
    train: { ...TRAIN, batchSize: 32, seqLength: 32, weightDecay: 0, gradClip: 0, beta2: 0.999 },
  },
};

interface Rig {
  family: Family;
  model: LanguageModel;
  step: () => Promise<number>;
  sample: (tokens: number) => Promise<number[]>;
}

function makeRig(family: Family, shape: { config: ModelConfig; train: TrainConfig }): Rig {
  const { config, train } = shape;
  const model = family.createModel(config, 1337);
  const optimizer = new family.AdamW(model.weights, train);
  let n = 0;
  const step = async () => {
    const { batchSize: B, seqLength: T } = train;
    const ids = Array.from({ length: B * (T + 1) }, (_, i) => (i * 7 + n * 13) % config.vocabSize);
    n++;
    const x = tf.tensor2d(ids.slice(0, B * T), [B, T], 'int32');
    const y = tf.tensor1d(ids.slice(B), 'int32');
    const loss = tf.tidy(() => {
      const { value, grads } = family.gradients(model, null, () => {
        const logits = model.apply(x, true);
        return family.sparseCrossEntropy(tf.reshape(logits, [-1, config.vocabSize]) as tf.Tensor2D, y);
      });
      optimizer.step(grads, train.learningRate);
      return value;
    });
    tf.dispose([x, y]);
    const v = (await loss.data())[0];
    loss.dispose();
    return v;
  };
  const sample = async (tokens: number) => {
    const state = model.createState();
    const out: number[] = [];
    let logits = model.feed(state, [0]);
    for (let i = 0; i < tokens; i++) {
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      let best = 0;
      for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j;
      out.push(best);
      logits = model.feed(state, [best]);
    }
    logits.dispose();
    state.dispose();
    return out;
  };
  return { family, model, step, sample };
}

async function kernelsOf(f: () => Promise<unknown>): Promise<{ count: number; byName: Record<string, string> }> {
  const byName: Record<string, string> = {};
  const ms: Record<string, number> = {};
  const calls: Record<string, number> = {};
  let count = 0;
  const info = await tf.profile(async () => {
    await f();
    return tf.scalar(0);
  });
  tf.dispose(info.result);
  for (const k of info.kernels) {
    calls[k.name] = (calls[k.name] ?? 0) + 1;
    ms[k.name] = (ms[k.name] ?? 0) + (await k.kernelTimeMs as number);
    count++;
  }
  for (const name of Object.keys(calls).sort((x, y) => ms[y] - ms[x])) byName[name] = `${calls[name]}x ${ms[name].toFixed(1)}ms`;
  return { count, byName };
}

async function msPer(f: () => Promise<unknown>, reps: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < reps; i++) await f();
  return (performance.now() - start) / reps;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'a,b,c' },
    base: { type: 'string' },
    repeats: { type: 'string', default: '5' },
    kernels: { type: 'boolean', default: false },
  },
});
await initBackend('wasm');
const families = [await loadFamily('new', path.resolve(import.meta.dirname, '../src'))];
if (values.base) families.unshift(await loadFamily('base', path.resolve(values.base, 'src')));
const repeats = Number(values.repeats);
const SAMPLE_TOKENS = 40;

for (const id of values.workload.split(',')) {
  const shape = SHAPES[id];
  const rigs = families.map((f) => makeRig(f, shape));
  const tokensPerStep = shape.train.batchSize * shape.train.seqLength;
  for (const rig of rigs) {
    await rig.step();
    await rig.step();
    await rig.sample(4);
    const before = tf.memory().numTensors;
    const stepK = await kernelsOf(rig.step);
    const sampleK = await kernelsOf(() => rig.sample(10));
    const losses = [await rig.step(), await rig.step()];
    const greedy = (await rig.sample(8)).join(',');
    const leak = tf.memory().numTensors - before;
    console.log(JSON.stringify({ workload: id, code: rig.family.label, kernelsPerStep: stepK.count, kernelsPerToken: sampleK.count / 10, leak, losses, greedy }));
    if (values.kernels) console.log(JSON.stringify({ step: stepK.byName, tenTokens: sampleK.byName }));
  }
  const stepMs: number[][] = rigs.map(() => []);
  const tokMs: number[][] = rigs.map(() => []);
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < rigs.length; i++) {
      stepMs[i].push(await msPer(rigs[i].step, 3));
      tokMs[i].push((await msPer(() => rigs[i].sample(SAMPLE_TOKENS), 1)) / SAMPLE_TOKENS);
    }
  }
  rigs.forEach((rig, i) =>
    console.log(
      JSON.stringify({
        workload: id,
        code: rig.family.label,
        trainTokPerSec: Math.round((tokensPerStep * 1000) / median(stepMs[i])),
        sampleTokPerSec: Math.round(1000 / median(tokMs[i])),
        stepMs: stepMs[i].map((m) => Math.round(m)),
      }),
    ),
  );
  for (const rig of rigs) rig.model.dispose();
}
