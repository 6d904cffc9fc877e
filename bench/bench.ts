// `npm run bench [-- --quick] [--workload a,b,c] [--backend NAME]`: training and sampling throughput
// on fixed workloads, printed as JSON on stdout. A benchmark, not a test: no assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../src/engine/runtime/backend.js';
import { runTraining } from '../src/engine/training/train.js';
import { loadModel } from '../src/engine/store/checkpoint.js';
import { generate } from '../src/engine/sample.js';
import { lastBlasThreadTrial } from '../src/engine/runtime/blas-threads.js';
import type { BackendName } from '../src/engine/types.js';
import { WORKLOADS, type Workload } from './workloads.js';

const QUICK_STEPS = 30;
const WARMUP_STEPS = 5;
const SAMPLE_TOKENS = 500;
const SAMPLE_RUNS = 3;

interface WorkloadResult {
  workload: string;
  description: string;
  steps: number;
  trainTokensPerSec: number;
  batchTokens: number;
  trainSeconds: number;
  valLoss: number | null;
  /** exp(valLoss): the reference gives (c) as perplexity. */
  valPerplexity: number | null;
  valLossAfterSeconds: number | null;
  /** Median of warm 500-token replies (batch 1, temperature 1). */
  sampleTokensPerSec: number;
  /** The first reply after loading, while the JIT warms up. */
  coldSampleTokensPerSec: number;
  msToFirstToken: number;
  /** The BLAS threads a run chose by measuring both (null when it had no choice), with ms per step of each. */
  blasThreads: { threads: number; msPerStep: Record<number, number> } | null;
  peakRssMB: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

async function runWorkload(workload: Workload, quick: boolean, backend: string): Promise<WorkloadResult> {
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'inkling-bench-'));
  const tensorsBefore = tf.memory().numTensors;
  const stepTimes: number[] = [];
  let lastStepAt = 0;
  let batchTokens = 0;
  try {
    const started = performance.now();
    const result = await runTraining(
      {
        ...workload.request,
        name: `bench-${workload.id}`,
        modelsDir,
        ...(quick ? { steps: QUICK_STEPS } : { minutes: workload.budgetSeconds / 60 }),
        overrides: { ...workload.request.overrides, ...(quick ? { evalBatches: 2 } : {}) },
      },
      (event) => {
        if (event.type === 'start' || event.type === 'eval') lastStepAt = performance.now();
        if (event.type === 'progress') {
          const now = performance.now();
          if (event.step > WARMUP_STEPS) stepTimes.push(now - lastStepAt);
          lastStepAt = now;
        }
      },
      () => false,
      backend,
    );
    const trainSeconds = (performance.now() - started) / 1000;
    const loaded = await loadModel(path.join(modelsDir, `bench-${workload.id}`));
    const { batchSize, seqLength } = loaded.manifest.train;
    batchTokens = batchSize * seqLength;
    // The first reply runs while V8 still optimises the decode path (speed climbs over ~1,000 tokens):
    // reported apart, then the median of SAMPLE_RUNS warm replies.
    const reply = (seed: number) => generate(loaded, '\n', { maxTokens: SAMPLE_TOKENS, temperature: 1, topK: 0, topP: 1, seed }, () => {});
    const cold = await reply(1);
    await reply(2);
    const warm = [];
    for (let run = 0; run < SAMPLE_RUNS; run++) warm.push(await reply(3 + run));
    const sample = warm.sort((x, y) => x.tokensPerSec - y.tokensPerSec)[Math.floor(SAMPLE_RUNS / 2)];
    const valLoss = loaded.manifest.history.at(-1)?.valLoss ?? null;
    loaded.dispose();
    return {
      workload: workload.id,
      description: workload.description,
      steps: result.step,
      trainTokensPerSec: Math.round((batchTokens * 1000) / median(stepTimes)),
      batchTokens,
      trainSeconds: round(trainSeconds),
      valLoss: quick || valLoss === null ? null : round(valLoss, 4),
      valPerplexity: quick || valLoss === null ? null : round(Math.exp(valLoss), 1),
      valLossAfterSeconds: quick ? null : workload.budgetSeconds,
      sampleTokensPerSec: Math.round(sample.tokensPerSec),
      coldSampleTokensPerSec: Math.round(cold.tokensPerSec),
      msToFirstToken: round(sample.msToFirstToken),
      blasThreads: lastBlasThreadTrial(),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      workload: { type: 'string', default: 'a,b,c' },
      backend: { type: 'string' },
      help: { type: 'boolean', default: false },
      'reply-priority': { type: 'boolean', default: false },
      probs: { type: 'boolean', default: false },
      base: { type: 'string' },
      models: { type: 'string', default: 'gutenberg-gpt,gutenberg-lstm' },
      tokens: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '7' },
      processes: { type: 'string' },
      control: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--quick] [--workload a,b,c] [--backend tensorflow|webgpu|wasm|cpu] | --reply-priority\n' +
        '       npm run bench -- --probs [--models a,b] [--tokens 300] [--rounds 7] [--base DIR/src] [--control] | [--processes PAIRS]\n',
    );
    return;
  }
  if (values['reply-priority']) {
    const info = await initBackend((values.backend as BackendName | undefined) ?? 'auto');
    process.stderr.write(describeBackend(info) + '\n');
    const { replyPriorityBench } = await import('./reply-priority.js');
    const { resolveModelsDir } = await import('../src/engine/store/paths.js');
    process.stdout.write(JSON.stringify({ backend: info.name, ...(await replyPriorityBench(resolveModelsDir(undefined))) }, null, 2) + '\n');
    process.exit(0);
  }
  if (values.probs && values.processes) {
    const { probsProcessesBench } = await import('./probs-processes.js');
    const models = values.models.split(',').map((m) => m.trim());
    const report = await probsProcessesBench({ models, pairs: Number(values.processes), tokens: Number(values.tokens) });
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.exit(0);
  }
  if (values.probs) {
    const info = await initBackend((values.backend as BackendName | undefined) ?? 'auto');
    process.stderr.write(describeBackend(info) + '\n');
    const { probsCostBench } = await import('./probs-cost.js');
    const { resolveModelsDir } = await import('../src/engine/store/paths.js');
    const report = await probsCostBench(resolveModelsDir(undefined), {
      models: values.models.split(',').map((m) => m.trim()),
      tokens: Number(values.tokens),
      rounds: Number(values.rounds),
      control: values.control,
      ...(values.base ? { base: values.base } : {}),
    });
    process.stdout.write(JSON.stringify({ backend: info.name, ...report }, null, 2) + '\n');
    process.exit(0);
  }
  const chosen = values.workload.split(',').map((w) => w.trim());
  const unknown = chosen.filter((w) => !WORKLOADS.some((x) => x.id === w));
  if (unknown.length > 0) throw new Error(`unknown workload ${unknown.join(', ')}: choose from a, b, c`);
  const info = await initBackend((values.backend as BackendName | undefined) ?? 'auto');
  process.stderr.write(describeBackend(info) + '\n');
  const results: WorkloadResult[] = [];
  for (const workload of WORKLOADS.filter((w) => chosen.includes(w.id))) {
    process.stderr.write(`workload ${workload.id}: ${workload.description}\n`);
    results.push(await runWorkload(workload, values.quick, info.name));
  }
  // On a GPU the batch decides how busy it is: report workload (a) at batch 32 and 128 too.
  const gpuBatches: Record<string, number> = {};
  if (info.name === 'webgpu') {
    const a = WORKLOADS[0];
    for (const batchSize of [32, 128]) {
      const run = await runWorkload({ ...a, request: { ...a.request, overrides: { batchSize } } }, true, info.name);
      gpuBatches[`batch${batchSize}`] = run.trainTokensPerSec;
    }
  }
  const report = {
    date: new Date().toISOString(),
    mode: values.quick ? 'quick' : 'full',
    backend: info.name,
    backendDetail: info.detail,
    accelerations: info.accelerations,
    node: process.version,
    cores: cpus().length,
    results,
    ...(info.name === 'webgpu' ? { gpuTrainTokensPerSec: gpuBatches } : {}),
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  // A GPU backend keeps handles open; the report is out, so leave now.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
});
