/**
 * Hand-run probe (not a test): what int8 costs a trained float32 model in held-out loss, for one scale per output
 * row (what `inkling quantize` stores) and for one scale per group of G input values within a row. Each matrix
 * and the embedding table is replaced by its quantised-then-dequantised values (the numbers the q8 kernels
 * multiply with) and the model is scored on the corpus's held-out split exactly as `inkling eval` scores it.
 * Usage: npx tsx bench/q8-groups.ts MODEL_DIR CORPUS [--groups 128,64,32]
 * See bench/q8-quality.sh for the whole measurement (train, quantise, eval) and bench/RESULTS.md for figures.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { loadModel } from '../src/engine/store/checkpoint.js';
import { loadCorpus, splitDocuments } from '../src/engine/data/corpus.js';
import { encodeSplits } from '../src/engine/data/dataset.js';
import { lossFigures } from '../src/engine/training/evaluate.js';

/** Symmetric int8 round trip of `values` [rows, cols] with one scale per `group` consecutive values of a row. */
function fakeQuantize(values: Float32Array, rows: number, cols: number, group: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let g0 = 0; g0 < cols; g0 += group) {
      const g1 = Math.min(cols, g0 + group);
      let max = 0;
      for (let c = g0; c < g1; c++) max = Math.max(max, Math.abs(values[r * cols + c]!));
      const s = max / 127;
      for (let c = g0; c < g1; c++) out[r * cols + c] = s === 0 ? 0 : Math.round(values[r * cols + c]! / s) * s;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { groups: { type: 'string', default: '128,64,32' } } });
  const [dir, corpus] = positionals;
  if (!dir || !corpus) throw new Error('usage: npx tsx bench/q8-groups.ts MODEL_DIR CORPUS [--groups 128,64,32]');
  await initBackend('wasm');
  const loaded = await loadModel(dir);
  const { model, tokenizer } = loaded;
  const splits = encodeSplits(tokenizer, splitDocuments(await loadCorpus(corpus)));
  const seqLength = Math.min(model.contextLength ?? 128, splits.val.length - 1);
  // The weights q8 stores as int8: every 2-D weight (kernels [in, out] by output row, the table by row).
  const matrices = model.weights.filter((w) => w.variable.shape.length === 2);
  const originals = await Promise.all(matrices.map(async (w) => (await w.variable.data()) as Float32Array));
  const score = async (label: string, group: number | null) => {
    for (const [i, w] of matrices.entries()) {
      const [a, b] = w.variable.shape as [number, number];
      const kernel = w.name.endsWith('/kernel');
      if (group === null) {
        tf.tidy(() => w.variable.assign(tf.tensor(originals[i]!, [a, b])));
        continue;
      }
      // Rows are output channels: a kernel [in, out] is quantised as its transpose [out, in].
      const rows = kernel ? b : a;
      const cols = kernel ? a : b;
      const byRow = tf.tidy(() => (kernel ? tf.transpose(tf.tensor(originals[i]!, [a, b])) : tf.tensor(originals[i]!, [a, b])));
      const q = fakeQuantize((await byRow.data()) as Float32Array, rows, cols, Math.min(group, cols));
      byRow.dispose();
      tf.tidy(() => w.variable.assign(kernel ? tf.transpose(tf.tensor(q, [rows, cols])) : tf.tensor(q, [rows, cols])));
    }
    const f = await lossFigures(model, splits.val, splits.valChars, seqLength);
    return { label, loss: f.valLoss, perplexity: f.perplexity, tokens: f.tokens };
  };
  const results = [await score('float32', null), await score('q8 per row', Infinity)];
  for (const g of values.groups!.split(',').map(Number)) results.push(await score(`q8 groups of ${g}`, g));
  const base = results[0]!.perplexity;
  for (const r of results) {
    console.log(`${r.label.padEnd(18)} loss ${r.loss.toFixed(6)}  perplexity ${r.perplexity.toFixed(4)}  (${(((r.perplexity - base) / base) * 100).toFixed(4)}%)  ${r.tokens} tokens`);
  }
  loaded.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
