// `npx tsx bench/prefill-threads-ab.ts [--workload d,e] [--prompt 256] [--repeats 5]`: prefill tokens/s with
// products of several rows on 1 BLAS thread against 2, alternating in one process so that load hits both alike.
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { initBackend } from '../src/engine/runtime/backend.js';
import { createModel } from '../src/engine/models/index.js';
import { nativeBlas } from '../src/engine/kernels/native-matmul.js';
import { PRETRAINED_SHAPES } from './pretrained-shapes.js';

const { values } = parseArgs({
  options: { workload: { type: 'string', default: 'd,e' }, prompt: { type: 'string', default: '256' }, repeats: { type: 'string', default: '5' } },
});
await initBackend('wasm');
const blas = nativeBlas();
if (!blas) throw new Error('needs the native BLAS addon');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const shape of PRETRAINED_SHAPES.filter((s) => values.workload.split(',').includes(s.id))) {
  const model = createModel(shape.config()!, 1);
  const prompt = Array.from({ length: Number(values.prompt) }, (_, i) => (i * 7919) % model.config.vocabSize);
  const feed = async () => {
    const state = model.createState();
    const t0 = performance.now();
    const logits = model.feed(state, prompt);
    await logits.data();
    const ms = performance.now() - t0;
    logits.dispose();
    state.dispose();
    return (prompt.length * 1000) / ms;
  };
  await feed();
  const rates: Record<number, number[]> = { 1: [], 2: [] };
  const loadBefore = loadavg()[0];
  for (let r = 0; r < Number(values.repeats); r++) {
    for (const threads of r % 2 === 0 ? [1, 2] : [2, 1]) {
      blas.setThreads(threads);
      rates[threads].push(await feed());
    }
  }
  blas.restoreThreads();
  const fmt = (v: number[]) => `median ${median(v).toFixed(0)} (${v.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`workload ${shape.id}, prompt ${prompt.length}, load ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}: 1 thread ${fmt(rates[1])} tok/s; 2 threads ${fmt(rates[2])} tok/s`);
  model.dispose();
}
