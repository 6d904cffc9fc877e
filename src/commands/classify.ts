// classify: label texts with a classifier (made by finetune --task classify). The CLI prints one JSON
// line per input (--text, or each line of stdin); the chat shows labelled probability bars.
import { defineCommand, info } from './define.js';
import { findModelDir, listModelEntries } from './model-lookup.js';
import { CommandError, type CommandContext } from './types.js';
import { UsageError } from './args.js';
import { firstLine } from '../engine/first-line.js';
import type { Classification, Classifier } from '../engine/tasks/classify/model.js';

const spec = {
  options: {
    model: { type: 'string', arg: 'NAME', values: 'model', description: 'the classifier (in the chat: default the one in use)' },
    text: { type: 'string', arg: 'TEXT', description: 'the text to label (CLI: else each line of stdin)' },
  },
  positionals: [{ name: 'TEXT', description: 'the text to label (same as --text)', rest: true }],
  examples: [
    'inkling classify --model authors --text "Call me Ishmael."',
    'cat lines.txt | inkling classify --model authors',
    '/classify --model authors It is a truth universally acknowledged',
  ],
} as const;

export interface ClassifyArgs {
  model?: string;
  text?: string;
}

/** Names of the healthy classifiers, for messages. */
async function classifierNames(ctx: CommandContext): Promise<string[]> {
  const entries = await listModelEntries(ctx);
  return entries.flatMap((e) => (e.ok && e.manifest.task === 'classify' ? [e.name] : []));
}

export async function loadClassifierByName(ctx: CommandContext, name: string): Promise<Classifier> {
  const dir = await findModelDir(ctx, name);
  await ctx.prepareEngine?.();
  const { Classifier } = await import('../engine/tasks/classify/model.js');
  try {
    return await Classifier.load(dir);
  } catch (error) {
    throw new CommandError(`cannot use ${name} as a classifier: ${firstLine(error)}`);
  }
}

const BAR = 20;

/** One line per label, most probable first: name, bar, probability. */
export function probabilityBars(result: Classification, labels: readonly string[]): string[] {
  const width = Math.max(...labels.map((l) => l.length));
  return [...labels]
    .sort((a, b) => result.probabilities[b]! - result.probabilities[a]!)
    .map((label) => {
      const p = result.probabilities[label]!;
      const filled = Math.round(p * BAR);
      return `  ${label.padEnd(width)}  ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}  ${p.toFixed(2)}`;
    });
}

/** The chat's view of one result: the label, then a bar per label. */
export function classificationLines(result: Classification, info: { labels: readonly string[]; maxTokens: number }): string[] {
  return [`${result.label}${result.truncated ? `  (text cut to its first ${info.maxTokens} tokens)` : ''}`, ...probabilityBars(result, info.labels)];
}

/** Chat: `--model NAME` first (optional), then the text verbatim (apostrophes and quotes as typed). */
export function splitClassify(raw: string): string[] {
  const m = /^\s*--model(?:=|\s+)(\S+)\s*([\s\S]*)$/.exec(raw);
  const text = (m ? m[2]! : raw).trim();
  return [...(m ? ['--model', m[1]!] : []), ...(text ? [`--text=${text}`] : [])];
}

async function stdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) throw new UsageError('classify needs --text TEXT, or lines on stdin (e.g. cat lines.txt | inkling classify --model NAME)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError('no text on stdin: give --text TEXT, or pipe lines to label');
  return lines;
}

export const classifyCommand = defineCommand({
  name: 'classify',
  summary: 'label text with a classifier: label probabilities per input',
  scopes: ['cli', 'chat'],
  spec,
  splitChat: splitClassify,
  build({ options: o, positionals }): ClassifyArgs {
    const rest = positionals.join(' ').trim();
    if (o.text !== undefined && rest !== '') throw new UsageError('give the text once: --text TEXT or TEXT, not both');
    const text = o.text ?? (rest === '' ? undefined : rest);
    if (text !== undefined && text.trim() === '') throw new UsageError('the text is empty: give something to classify');
    return { ...(o.model !== undefined ? { model: o.model } : {}), ...(text !== undefined ? { text } : {}) };
  },
  async run(args, ctx) {
    const name = args.model ?? (ctx.chat?.model?.manifest.task === 'classify' ? ctx.chat.model.name : undefined);
    if (!name) {
      const names = await classifierNames(ctx);
      const some = names.length > 0 ? `: ${names.slice(0, 5).join(', ')}` : ' yet (make one with finetune --task classify)';
      throw new UsageError(`which classifier? give --model NAME (classifiers${some})`);
    }
    if (ctx.chat && args.text === undefined) throw new UsageError('/classify needs the text to label, e.g. /classify --model NAME Call me Ishmael.');
    const texts = args.text !== undefined ? [args.text] : await stdinLines();
    const classifier = await loadClassifierByName(ctx, name);
    try {
      for (let i = 0; i < texts.length; i += 64) {
        if (ctx.signal?.aborted) break;
        const results = await classifier.classify(texts.slice(i, i + 64));
        results.forEach((r, j) => {
          const text = texts[i + j]!;
          if (ctx.chat) ctx.out.line([`${name}:`, ...classificationLines(r, classifier.info)].join('\n'));
          else {
            const probabilities = Object.fromEntries(Object.entries(r.probabilities).map(([l, p]) => [l, Number(p.toFixed(4))]));
            ctx.out.line(JSON.stringify({ text, label: r.label, probabilities, ...(r.truncated ? { truncated: true } : {}) }));
          }
        });
      }
      if (!ctx.chat && texts.length > 1) info(ctx, `${texts.length} inputs labelled by ${name}`);
    } finally {
      classifier.dispose();
    }
  },
});
