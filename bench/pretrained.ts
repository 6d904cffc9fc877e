// `npx tsx bench/pretrained.ts [--workload d,e] [--prompt 256] [--decode 100] [--no-train] [--lora-batch 4] [--backend NAME]`: prefill,
// decode and fine-tune speed (bench/pretrained-train.ts) of pretrained-model shapes with random weights, as JSON on stdout. The PyTorch figures for the
// same shapes come from bench/pytorch-reference.sh; bench/RESULTS.md puts the two side by side.
//   (d) GPT-2 124M: 12 layers, d768, 12 heads, context 1024, vocabulary 50,257, tied head.
//   (e) SmolLM2-135M: 30 layers, d576, 9 heads, 3 key/value heads, MLP 1536, vocabulary 49,152, tied.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../src/engine/runtime/backend.js';
import { createModel } from '../src/engine/models/index.js';
import { quantizeModel } from '../src/engine/models/quantize.js';
import type { BackendName, LanguageModel } from '../src/engine/types.js';
import { PRETRAINED_SHAPES as SHAPES } from './pretrained-shapes.js';
import { type TrainFigure, fullFinetune, loraFinetune } from './pretrained-train.js';

/** The wasm heap's size: it only grows, so it is the high-water mark so far (null on other backends). */
function heapGiB(): number | null {
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  return wasm ? Math.round((wasm.HEAPU8.length / 2 ** 30) * 100) / 100 : null;
}

async function argmax(logits: tf.Tensor1D): Promise<number> {
  const values = await logits.data();
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

async function measure(model: LanguageModel, promptTokens: number, decodeTokens: number) {
  const prompt = Array.from({ length: promptTokens }, (_, i) => (i * 7919) % model.config.vocabSize);
  const run = async () => {
    const state = model.createState();
    const t0 = performance.now();
    let logits = model.feed(state, prompt);
    let next = await argmax(logits);
    const t1 = performance.now();
    for (let i = 0; i < decodeTokens; i++) {
      logits.dispose();
      logits = model.feed(state, [next]);
      next = await argmax(logits);
    }
    const t2 = performance.now();
    logits.dispose();
    state.dispose();
    return { prefill: (promptTokens * 1000) / (t1 - t0), decode: (decodeTokens * 1000) / (t2 - t1) };
  };
  const cold = await run();
  const warm = await run();
  return { cold, warm };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string', default: 'd,e' },
      prompt: { type: 'string', default: '256' },
      decode: { type: 'string', default: '100' },
      'no-train': { type: 'boolean', default: false },
      'lora-batch': { type: 'string', default: '4' },
      backend: { type: 'string', default: 'auto' },
    },
  });
  const info = await initBackend(values.backend as BackendName | 'auto');
  const results = [];
  for (const shape of SHAPES.filter((s) => values.workload.split(',').includes(s.id))) {
    const config = shape.config();
    if (!config) {
      results.push({ workload: shape.id, skipped: 'this family is not in the build' });
      continue;
    }
    process.stderr.write(`workload ${shape.id}: ${shape.description}\n`);
    const float = createModel(config, 1);
    const variants: Array<[string, LanguageModel]> = [['float32', float]];
    if (config.arch === 'llama') variants.push(['q8', await quantizeModel(float)]);
    for (const [weights, model] of variants) {
    const tensors = tf.memory().numTensors;
    const { cold, warm } = await measure(model, Number(values.prompt), Number(values.decode));
    results.push({
      workload: shape.id,
      weights,
      description: shape.description,
      params: model.parameterCount(),
      promptTokens: Number(values.prompt),
      decodeTokens: Number(values.decode),
      prefillTokensPerSec: Math.round(warm.prefill * 10) / 10,
      decodeTokensPerSec: Math.round(warm.decode * 10) / 10,
      coldPrefillTokensPerSec: Math.round(cold.prefill * 10) / 10,
      coldDecodeTokensPerSec: Math.round(cold.decode * 10) / 10,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      tensorsFlat: tf.memory().numTensors === tensors,
    });
    }
    // Only the float model stays for the fine-tunes: the wasm heap never shrinks, and every byte freed is one the
    // training's activations can reuse.
    for (const [weights, model] of variants) if (weights !== 'float32') model.dispose();
    if (!values['no-train']) {
      const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);
      const train: Array<[string, () => Promise<TrainFigure>]> = [['lora', () => loraFinetune(float, `LoRA on the ${shape.id} shape`, Number(values['lora-batch']))]];
      // PyTorch's reference fine-tunes all of (d) only; the full run goes last since it changes the weights.
      if (shape.id === 'd') train.push(['full', () => fullFinetune(float, 'fine-tuning the gpt2 shape')]);
      for (const [kind, run] of train) {
        process.stderr.write(`workload ${shape.id}: ${kind} fine-tune\n`);
        const tensors = tf.memory().numTensors;
        const figure = await run();
        results.push({ workload: shape.id, finetune: kind, ...figure, wasmHeapGiB: heapGiB(), peakRssMB: rss(), tensorsFlat: tf.memory().numTensors === tensors });
      }
    }
    float.dispose();
  }
  const load = (await import('node:os')).loadavg().map((l) => Math.round(l * 100) / 100);
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), backend: describeBackend(info), loadavg: load, results }, null, 2)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.message.split('\n')[0]}\n`);
  process.exit(1);
});
