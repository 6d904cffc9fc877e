// `npx tsx --expose-gc bench/soak.ts [--replies N] [--switch-every K] [--max-tokens T] [--sample-every S] [--context] [--backend B]`
// A soak run of the real chat session: many replies with model switches (load, dispose) on two tiny
// models, sampling RSS, JS heap and tfjs tensor counts as it goes; JSON on stdout. Not a test: a flat
// RSS line is what to look for (issue 7). --expose-gc makes the readings steadier (a GC before each).
// Each sample also goes to stderr as it is taken, so a long run can be watched (or cut short).
// --context prepends earlier turns (the chat's /context on): with the lstm that feeds ~1,000 tokens a reply.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../src/engine/runtime/backend.js';
import { runTraining } from '../src/engine/training/train.js';
import type { BackendName } from '../src/engine/types.js';
import { realEngine } from '../src/ui/real-engine.js';
import { Chat } from '../src/ui/session.js';

interface Sample {
  reply: number;
  seconds: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  tensors: number;
  tensorMB: number;
}

const TEXT = 'the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat by the log.\n'.repeat(60);
const MB = 1024 * 1024;
const round = (x: number) => Math.round(x * 10) / 10;

function sample(reply: number, started: number): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const t = tf.memory();
  return {
    reply,
    seconds: round((performance.now() - started) / 1000),
    rssMB: round(mem.rss / MB),
    heapUsedMB: round(mem.heapUsed / MB),
    externalMB: round(mem.external / MB),
    tensors: t.numTensors,
    tensorMB: round(t.numBytes / MB),
  };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      replies: { type: 'string', default: '3000' },
      'switch-every': { type: 'string', default: '10' },
      'max-tokens': { type: 'string', default: '8' },
      'sample-every': { type: 'string', default: '100' },
      context: { type: 'boolean', default: false },
      backend: { type: 'string', default: process.env.INKLING_BACKEND ?? 'wasm' },
    },
  });
  const replies = Number(values.replies);
  const switchEvery = Number(values['switch-every']);
  const sampleEvery = Number(values['sample-every']);
  const maxTokens = Number(values['max-tokens']);
  const backend = await initBackend(values.backend as BackendName);
  process.stderr.write(describeBackend(backend) + '\n');

  const work = mkdtempSync(path.join(tmpdir(), 'inkling-soak-'));
  const modelsDir = path.join(work, 'models');
  const corpus = path.join(work, 'corpus.txt');
  writeFileSync(corpus, TEXT);
  try {
    for (const arch of ['gpt', 'lstm'] as const) {
      await runTraining(
        { kind: 'train', name: arch, modelsDir, corpus, arch, tokenizer: 'char', preset: 'tiny', steps: 10, seed: 1, overrides: { evalInterval: 10, evalBatches: 2 } },
        () => {},
        () => false,
        backend.name,
      );
    }
    const chat = new Chat({ modelsDir, configDir: path.join(work, 'config'), deps: realEngine(modelsDir), backendLabel: backend.name });
    chat.setSetting('maxTokens', maxTokens);
    chat.setSetting('context', values.context ?? false);
    await chat.use('gpt');
    await chat.submit('the cat');
    const started = performance.now();
    const samples: Sample[] = [sample(0, started)];
    let switches = 0;
    for (let i = 1; i <= replies; i++) {
      if (switchEvery > 0 && i % switchEvery === 0) {
        await chat.use(chat.model?.name === 'gpt' ? 'lstm' : 'gpt');
        switches++;
      }
      await chat.submit(i % 2 ? 'the dog' : 'a mat');
      // The transcript grows by design; keep it from dominating the heap readings.
      if (i % 500 === 0) chat.clearTranscript();
      if (i % sampleEvery === 0) {
        samples.push(sample(i, started));
        process.stderr.write(JSON.stringify(samples[samples.length - 1]) + '\n');
      }
    }
    const errors = chat.getView().turns.filter((t) => t.kind === 'error').map((t) => t.text);
    await chat.shutdown();
    // Skip the first tenth: allocators and the wasm heap settle first.
    const settled = samples.slice(Math.floor(samples.length / 10));
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    process.stdout.write(
      JSON.stringify(
        {
          backend: backend.name,
          replies,
          switches,
          maxTokens,
          context: values.context ?? false,
          errors: errors.slice(0, 5),
          summary: {
            rssStartMB: first.rssMB,
            rssEndMB: last.rssMB,
            rssPeakMB: Math.max(...samples.map((s) => s.rssMB)),
            rssSlopeMBPer1000Replies: round(1000 * slope(settled.map((s) => s.reply), settled.map((s) => s.rssMB))),
            heapSlopeMBPer1000Replies: round(1000 * slope(settled.map((s) => s.reply), settled.map((s) => s.heapUsedMB))),
            tensorsStart: first.tensors,
            tensorsEnd: last.tensors,
            tensorsAfterShutdown: tf.memory().numTensors,
            seconds: last.seconds,
          },
          samples,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`soak: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
});
