// `npx tsx bench/prefill-profile.ts [--workload d|e] [--prompt 256] [--threads 1]`: where a prefill's time goes,
// by kernel (and input shapes), from tf.profile over one warm feed of a random-weight pretrained shape.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/runtime/backend.js';
import { createModel } from '../src/engine/models/index.js';
import { nativeBlas } from '../src/engine/kernels/native-matmul.js';
import { PRETRAINED_SHAPES } from './pretrained-shapes.js';

const { values } = parseArgs({
  options: { workload: { type: 'string', default: 'd' }, prompt: { type: 'string', default: '256' }, threads: { type: 'string', default: '1' } },
});
await initBackend('wasm');
nativeBlas()?.setThreads(Number(values.threads));
const shape = PRETRAINED_SHAPES.find((s) => s.id === values.workload)!;
const model = createModel(shape.config()!, 1);
const prompt = Array.from({ length: Number(values.prompt) }, (_, i) => (i * 7919) % model.config.vocabSize);
const feed = async () => {
  const state = model.createState();
  const logits = model.feed(state, prompt);
  await logits.data();
  logits.dispose();
  state.dispose();
};
await feed();
const t0 = performance.now();
await feed();
const wall = performance.now() - t0;
const info = await tf.profile(feed);
const rows = new Map<string, { calls: number; ms: number }>();
let total = 0;
for (const k of info.kernels) {
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
  const ms = (await k.kernelTimeMs) as number;
  total += ms;
  const r = rows.get(key) ?? { calls: 0, ms: 0 };
  r.calls++;
  r.ms += ms;
  rows.set(key, r);
}
const byName = new Map<string, number>();
for (const [key, r] of rows) byName.set(key.split(' ')[0], (byName.get(key.split(' ')[0]) ?? 0) + r.ms);
console.log(`workload ${shape.id}, prompt ${values.prompt}, wall ${wall.toFixed(0)} ms (${((Number(values.prompt) * 1000) / wall).toFixed(0)} tok/s), kernels ${info.kernels.length}, kernel time ${total.toFixed(0)} ms`);
for (const [name, ms] of [...byName].sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms`);
console.log('by shape:');
for (const [key, r] of [...rows].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(`  ${r.ms.toFixed(1).padStart(8)} ms ${String(r.calls).padStart(4)}x ${key}`);
model.dispose();
