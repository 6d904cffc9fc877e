// `npm run bench -- --reply-priority`: gutenberg-gpt reply tokens/s idle and during a nano-cpu training run
// in a worker, with and without the reply gate (runtime/worker/run-control.ts), and the training throughput
// the gate costs, all in one run on one machine. JSON on stdout. A benchmark, not a test.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../src/engine/store/checkpoint.js';
import { findModel } from '../src/engine/store/registry.js';
import { modelSearchDirs } from '../src/engine/store/paths.js';
import { generate } from '../src/engine/sample.js';
import { startTraining } from '../src/engine/runtime/worker/client.js';
import { replyGate, withReplyPriority } from '../src/engine/runtime/worker/run-control.js';
import type { LoadedModel } from '../src/engine/store/checkpoint.js';

const REPLY_TOKENS = 300;
const REPLIES = 3;
/** Between replies in the priority phase, as a person reads and types: training runs in these gaps. */
const THINK_MS = 3000;
const TRAIN_ALONE_MS = 20_000;
const WARM_STEPS = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function replies(loaded: LoadedModel, gen: typeof generate, think = 0): Promise<number[]> {
  const rates: number[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const result = await gen(loaded, 'The sea was calm', { maxTokens: REPLY_TOKENS, temperature: 1, topK: 0, topP: 1, seed: 100 + i }, () => {});
    rates.push(result.tokensPerSec);
    if (think > 0) await sleep(think);
  }
  return rates;
}

export async function replyPriorityBench(modelsDir: string): Promise<Record<string, unknown>> {
  const load = { before: loadavg().map((x) => round(x, 2)) };
  const loaded = await loadModel(await findModel(modelSearchDirs(modelsDir), 'gutenberg-gpt'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'inkling-bench-priority-'));
  let steps = 0;
  let batchTokens = 0;
  try {
    process.stderr.write('reply priority: warm-up and idle replies…\n');
    await replies(loaded, generate);
    const idle = await replies(loaded, generate);

    const handle = startTraining(
      { kind: 'train', name: 'bench-priority', modelsDir: scratch, corpus: 'shakespeare', arch: 'gpt', tokenizer: 'char', preset: 'nano-cpu', minutes: 30, seed: 1 },
      (event) => {
        if (event.type === 'progress') steps = event.step;
      },
    );
    const { resolveConfig } = await import('../src/engine/models/presets.js');
    const { train } = resolveConfig('gpt', 'nano-cpu', 65);
    batchTokens = train.batchSize * train.seqLength;
    process.stderr.write('reply priority: nano-cpu training started in a worker…\n');
    while (steps < WARM_STEPS) await sleep(100);

    /** Training steps per second over a phase. */
    const phase = async <T>(run: () => Promise<T>): Promise<{ value: T; stepsPerSec: number; seconds: number }> => {
      const [s0, t0] = [steps, performance.now()];
      const value = await run();
      const seconds = (performance.now() - t0) / 1000;
      return { value, stepsPerSec: (steps - s0) / seconds, seconds };
    };
    const alone = await phase(() => sleep(TRAIN_ALONE_MS));
    process.stderr.write('reply priority: replies during training, without the gate…\n');
    const contended = await phase(() => replies(loaded, generate));
    process.stderr.write('reply priority: replies during training, with the gate…\n');
    const prioritized = await phase(() => replies(loaded, withReplyPriority(generate, replyGate), THINK_MS));
    handle.stop();
    await handle.done.catch(() => undefined);

    const idleRate = median(idle);
    const trainRate = (x: number) => round(x * batchTokens, 0);
    return {
      date: new Date().toISOString(),
      model: 'gutenberg-gpt',
      training: 'gpt nano-cpu on shakespeare (char), in a worker',
      replyTokens: REPLY_TOKENS,
      cores: cpus().length,
      loadAverage: { ...load, after: loadavg().map((x) => round(x, 2)) },
      replyTokensPerSec: {
        idle: round(idleRate),
        duringTrainingNoPriority: round(median(contended.value)),
        duringTrainingWithPriority: round(median(prioritized.value)),
      },
      replyShareOfIdle: {
        noPriority: round(median(contended.value) / idleRate, 3),
        withPriority: round(median(prioritized.value) / idleRate, 3),
      },
      trainTokensPerSec: {
        alone: trainRate(alone.stepsPerSec),
        duringRepliesNoPriority: trainRate(contended.stepsPerSec),
        duringRepliesWithPriority: trainRate(prioritized.stepsPerSec),
      },
      priorityPhase: { seconds: round(prioritized.seconds), thinkMsBetweenReplies: THINK_MS, replies: REPLIES },
      trainingLostToPriority: round(1 - prioritized.stepsPerSec / alone.stepsPerSec, 3),
    };
  } finally {
    loaded.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
}
