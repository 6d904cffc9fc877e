// eval: held-out loss, perplexity, bits per char, next-token accuracy and a free-running greedy continuation check.
import { UsageError, quote } from './args.js';
import { defineCommand } from './define.js';
import { checkCorpus } from './corpus-check.js';
import { findModelDir } from './model-lookup.js';
import { formatCount } from './format.js';
import type { EvalReport } from '../engine/training/evaluate.js';
import type { TokenSurprisal } from '../engine/training/per-token.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';
import { writeFile } from 'node:fs/promises';

const spec = {
  options: {
    model: { type: 'string', arg: 'NAME', values: 'model', description: 'the model (in the chat: the current one by default)' },
    corpus: { type: 'string', arg: 'C', values: 'corpus', description: "held-out text to score on (default: the model's own corpus when it is a shipped one)" },
    json: { type: 'boolean', description: 'print JSON' },
    'per-token': { type: 'string', arg: 'FILE', description: 'also write every scored token and its surprisal (bits) to FILE, as TSV' },
  },
  examples: ['inkling eval --model s1', 'inkling eval --model s1 --corpus austen-emma --json', 'inkling eval --model s1 --per-token surprise.tsv', '/eval'],
} as const;

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

function reportLines(name: string, r: EvalReport): string[] {
  const c = r.continuation;
  const lines = [
    `${name} on ${r.corpus} (${formatCount(r.tokens)} held-out tokens)`,
    `  val loss      ${r.valLoss.toFixed(3)} nats/token`,
    `  perplexity    ${r.perplexity.toFixed(2)}`,
    `  bits/char     ${r.bitsPerChar.toFixed(3)}`,
    `  next token    ${percent(r.nextTokenAccuracy)} right: the likeliest token, given the true text before it (${formatCount(r.tokens)} tokens)`,
    `  continuation  ${percent(c.accuracy)} ± ${(c.standardError * 100).toFixed(1)} of tokens right when the model continues ${formatCount(c.passages)} held-out passages on its own (greedy, ${formatCount(c.tokens)} tokens)`,
  ];
  if (r.outOfVocabulary > 0) {
    const what = r.unknownAs === 'skipped' ? 'characters skipped' : 'words read as <unk>';
    lines.push(`  out of vocab  ${formatCount(r.outOfVocabulary)} ${what} (not in the model's vocabulary)`);
  }
  const sample = c.samples[0];
  if (sample) {
    lines.push(`  e.g. after ${quote(sample.prompt.slice(-40))}`, `       expected ${quote(sample.expected)}`, `       got      ${quote(sample.generated)}`);
  }
  return lines;
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'score a model on held-out text: loss, perplexity, bits per char, next-token and continuation accuracy',
  scopes: ['cli', 'chat'],
  spec,
  build: ({ options: o }) => ({ model: o.model ?? null, corpus: o.corpus ?? null, json: o.json ?? false, perToken: o['per-token'] ?? null }),
  async run({ model, corpus, json, perToken }, ctx) {
    const name = model ?? ctx.chat?.model?.name;
    if (!name) throw new UsageError(ctx.chat ? 'no model loaded: /use NAME first, or /eval --model NAME' : '--model is required — usage: eval --model NAME [--corpus C] [--json]');
    if (corpus !== null) await checkCorpus(corpus);
    const dir = await findModelDir(ctx, name);
    ctx.out.info?.(`evaluating ${name}…`);
    // In a worker: scoring a large corpus takes seconds, and the chat must stay responsive meanwhile.
    const { evaluateInWorker } = await import('../engine/runtime/worker/client.js');
    const report = await evaluateInWorker(dir, {
      ...(corpus === null ? {} : { corpus }),
      ...(ctx.backend ? { backend: ctx.backend } : {}),
      ...(perToken === null ? {} : { perToken: true }),
    });
    const { perToken: rows, ...figures } = report;
    ctx.out.line(json ? JSON.stringify({ model: name, ...figures }, null, 2) : reportLines(name, report).join('\n'));
    if (perToken !== null && rows) {
      await writeSurprisal(perToken, rows);
      ctx.out.info?.(`wrote the surprisal of ${formatCount(rows.length)} tokens to ${perToken}`);
    }
  },
});

/** Tabs and newlines escaped, so each token stays one TSV cell. */
const cell = (label: string) => label.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** One row per scored token: where it is in the held-out text, what it is, and how surprising (bits). */
async function writeSurprisal(file: string, rows: TokenSurprisal[]): Promise<void> {
  const lines = ['position\tid\ttoken\tsurprisal_bits'];
  for (const r of rows) lines.push(`${r.position}\t${r.id}\t${cell(r.label)}\t${(r.nats / Math.LN2).toFixed(4)}`);
  try {
    await writeFile(file, lines.join('\n') + '\n');
  } catch (err) {
    throw new CommandError(`cannot write ${quote(file)}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`);
  }
}
