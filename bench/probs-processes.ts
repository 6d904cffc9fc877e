// `npm run bench -- --probs --processes N`: /probs on against off with each side in processes of its own, N pairs
// launched alternately. Mixing both in one process (bench/probs-cost.ts) lets V8 see both paths through generate(),
// which a chat with /probs on or off all along does not; this leaves that out. CPU time per token is from
// process.cpuUsage over warm replies (all of a process's threads), wall tokens/s as generate() reports them.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PROMPT, SETTINGS, TOP } from './probs-cost.js';

const WARM_REPLIES = 4;
const REPLIES = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

interface ChildResult {
  microsPerToken: number;
  tokensPerSec: number;
}

export async function probsProcessesBench(o: { models: string[]; pairs: number; tokens: number }): Promise<Record<string, unknown>> {
  const load = { before: loadavg().map((x) => round(x, 2)) };
  const results: Record<string, unknown>[] = [];
  for (const model of o.models) {
    for (const settings of Object.keys(SETTINGS)) {
      process.stderr.write(`probs cost, separate processes: ${model}, ${settings} settings…\n`);
      const off: ChildResult[] = [];
      const on: ChildResult[] = [];
      for (let pair = 0; pair < o.pairs; pair++) {
        for (const mode of pair % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
          (mode === 'on' ? on : off).push(child(model, mode, settings, o.tokens));
        }
      }
      // Per pair, as in the one-process rotation: 1 - on/off in tokens per CPU-second.
      const costs = on.map((r, i) => 1 - off[i].microsPerToken / r.microsPerToken);
      results.push({
        model, settings,
        microsPerToken: { off: round(median(off.map((r) => r.microsPerToken))), on: round(median(on.map((r) => r.microsPerToken))) },
        tokensPerSec: { off: round(median(off.map((r) => r.tokensPerSec))), on: round(median(on.map((r) => r.tokensPerSec))) },
        probsOnCpuCost: { median: round(median(costs), 3), each: costs.map((c) => round(c, 3)) },
      });
    }
  }
  return {
    date: new Date().toISOString(), mode: 'separate processes', pairs: o.pairs, tokensPerReply: o.tokens,
    repliesPerProcess: { warm: WARM_REPLIES, measured: REPLIES }, cores: cpus().length,
    loadAverage: { ...load, after: loadavg().map((x) => round(x, 2)) }, results,
  };
}

/** One process's figures; a failed process is run once more (saying why), then fails the bench. */
function child(model: string, mode: string, settings: string, tokens: number, retry = true): ChildResult {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), model, mode, settings, String(tokens)];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status === 0 && line.startsWith('{')) return JSON.parse(line) as ChildResult;
  const why = run.stderr.split('\n').find((l) => /error/i.test(l)) ?? `exit ${run.status ?? run.signal}`;
  process.stderr.write(`probs child (${model} ${mode} ${settings}) failed: ${why}\n`);
  if (!retry) throw new Error(`probs child (${model} ${mode} ${settings}) failed twice`);
  return child(model, mode, settings, tokens, false);
}

async function childMain([model, mode, settings, tokens]: string[]): Promise<void> {
  const { initBackend } = await import('../src/engine/runtime/backend.js');
  const { loadModel } = await import('../src/engine/store/checkpoint.js');
  const { findModel } = await import('../src/engine/store/registry.js');
  const { modelSearchDirs, resolveModelsDir } = await import('../src/engine/store/paths.js');
  const { generate } = await import('../src/engine/sample.js');
  await initBackend('auto');
  const loaded = await loadModel(await findModel(modelSearchDirs(resolveModelsDir(undefined)), model));
  const reply = (seed: number) =>
    generate(loaded, PROMPT, { ...SETTINGS[settings], maxTokens: Number(tokens), seed }, () => {}, undefined, mode === 'on' ? { top: TOP } : undefined);
  for (let i = 0; i < WARM_REPLIES; i++) await reply(100 + i);
  let micros = 0;
  let count = 0;
  const rates: number[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const cpu = process.cpuUsage();
    const result = await reply(1 + i);
    const { user, system } = process.cpuUsage(cpu);
    micros += user + system;
    count += result.tokens;
    rates.push(result.tokensPerSec);
  }
  process.stdout.write(JSON.stringify({ microsPerToken: micros / count, tokensPerSec: median(rates) }) + '\n');
  process.exit(0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await childMain(process.argv.slice(2));
