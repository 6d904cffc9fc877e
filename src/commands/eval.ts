// eval: held-out loss, perplexity, bits per char and a greedy continuation check.
import { UsageError, quote } from './args.js';
import { defineCommand } from './define.js';
import { checkCorpus } from './corpus-check.js';
import { findModelDir } from './model-lookup.js';
import { formatCount } from './format.js';
import type { EvalReport } from '../engine/training/evaluate.js';

const spec = {
  options: {
    model: { type: 'string', arg: 'NAME', values: 'model', description: 'the model (in the chat: the current one by default)' },
    corpus: { type: 'string', arg: 'C', values: 'corpus', description: "held-out text to score on (default: the model's own corpus)" },
    json: { type: 'boolean', description: 'print JSON' },
  },
  examples: ['inkling eval --model s1', 'inkling eval --model s1 --corpus austen-emma --json', '/eval'],
} as const;

function reportLines(name: string, r: EvalReport): string[] {
  const lines = [
    `${name} on ${r.corpus} (${formatCount(r.tokens)} held-out tokens)`,
    `  val loss      ${r.valLoss.toFixed(3)} nats/token`,
    `  perplexity    ${r.perplexity.toFixed(2)}`,
    `  bits/char     ${r.bitsPerChar.toFixed(3)}`,
    `  continuation  ${(r.continuationAccuracy * 100).toFixed(1)}% of next tokens right (greedy, held-out passages)`,
  ];
  const sample = r.samples[0];
  if (sample) {
    lines.push(`  e.g. after ${quote(sample.prompt.slice(-40))}`, `       expected ${quote(sample.expected)}`, `       got      ${quote(sample.generated)}`);
  }
  return lines;
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'score a model on held-out text: loss, perplexity, bits per char, continuation accuracy',
  scopes: ['cli', 'chat'],
  spec,
  build: ({ options: o }) => ({ model: o.model ?? null, corpus: o.corpus ?? null, json: o.json ?? false }),
  async run({ model, corpus, json }, ctx) {
    const name = model ?? ctx.chat?.model?.name;
    if (!name) throw new UsageError(ctx.chat ? 'no model loaded: /use NAME first, or /eval --model NAME' : '--model is required — usage: eval --model NAME [--corpus C] [--json]');
    if (corpus !== null) await checkCorpus(corpus);
    const dir = await findModelDir(ctx, name);
    ctx.out.info?.(`evaluating ${name}…`);
    // In a worker: scoring a large corpus takes seconds, and the chat must stay responsive meanwhile.
    const { evaluateInWorker } = await import('../engine/runtime/worker/client.js');
    const report = await evaluateInWorker(dir, { ...(corpus === null ? {} : { corpus }), ...(ctx.backend ? { backend: ctx.backend } : {}) });
    ctx.out.line(json ? JSON.stringify({ model: name, ...report }, null, 2) : reportLines(name, report).join('\n'));
  },
});
