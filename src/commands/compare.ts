// /compare A B [prompt]: the same prompt and seed through two models, the replies side by side.
import { defineCommand, requireChat } from './define.js';
import { fence, formatCount, sideBySide } from './format.js';
import { splitLeadingWords } from './split.js';
import { checkModelName, listModelEntries } from './model-lookup.js';
import { CommandError, type CommandContext } from './types.js';
import { classificationLines, loadClassifierByName } from './classify.js';

async function tasksOf(ctx: CommandContext, names: string[]): Promise<(string | undefined)[]> {
  const entries = await listModelEntries(ctx);
  return names.map((n) => {
    const e = entries.find((x) => x.name === n);
    return e?.ok ? e.manifest.task : undefined;
  });
}

/** Two classifiers on one text: both label distributions side by side. */
async function compareClassifiers(a: string, b: string, prompt: string, ctx: CommandContext): Promise<void> {
  const text = prompt.trim();
  if (text === '') throw new CommandError('give the text to classify: /compare A B TEXT');
  const blocks: string[] = [];
  for (const name of [a, b]) {
    const classifier = await loadClassifierByName(ctx, name);
    try {
      const [result] = await classifier.classify([text]);
      blocks.push([name, ...classificationLines(result!, classifier.info)].join('\n'));
    } finally {
      classifier.dispose();
    }
  }
  const columns = process.stdout.columns || 100;
  ctx.out.line(['same text, two classifiers:', ...sideBySide(blocks[0]!, blocks[1]!, columns)].join('\n'));
}

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'run one prompt with one seed through two models and show both replies (two classifiers: both label distributions)',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [
      { name: 'A', description: 'the first model', required: true, values: 'model' },
      { name: 'B', description: 'the second model', required: true, values: 'model' },
      { name: 'PROMPT', description: 'the prompt (the rest of the line; default: a newline)', rest: true },
    ],
    examples: ['/compare s1 s1-poems O gentle night', '/compare s1 s2'],
  },
  splitChat: (raw) => splitLeadingWords(raw, 2),
  build: ({ positionals: [a, b, prompt] }) => ({ a: checkModelName(a!), b: checkModelName(b!), prompt: prompt ?? '\n' }),
  async run({ a, b, prompt }, ctx) {
    const chat = requireChat(ctx, 'compare');
    const tasks = await tasksOf(ctx, [a, b]);
    if (tasks[0] !== tasks[1]) throw new CommandError(`${a} is ${tasks[0] ? 'a classifier' : 'a language model'} and ${b} is not: compare two classifiers, or two language models`);
    if (tasks[0] === 'classify') return compareClassifiers(a, b, prompt, ctx);
    const s = chat.settings;
    // One seed for both, so the difference is the model's.
    const seed = s.seed ?? Math.floor(Math.random() * 2 ** 31);
    const options = { maxTokens: s.maxTokens, temperature: s.temperature, topK: s.topK, topP: s.topP, seed };
    const shownPrompt = prompt.trim() ? prompt : '';
    // A continuation is shown after its prompt; an instruct model's answer is a message of its own.
    const replies = [a, b].map((name) => ({ name, text: '', note: 'waiting', chat: false }));
    const shown = (r: (typeof replies)[number]) => `${r.chat ? '' : shownPrompt}${r.text}`;
    const block = (r: (typeof replies)[number]) => `${r.name}  ${r.note}\n${shown(r)}`;
    // Laid out again at each piece (the terminal may have been resized): stacked when narrow.
    const layout = () => [`same prompt, seed ${seed}:`, ...sideBySide(block(replies[0]!), block(replies[1]!), process.stdout.columns || 100)].join('\n');
    let stopped = false;
    for (const reply of replies) {
      if (stopped) {
        reply.note = 'not run: stopped';
        continue;
      }
      reply.note = 'writing…';
      ctx.out.show?.(layout());
      const result = await chat.generateWith(
        reply.name,
        prompt,
        options,
        (delta) => {
          reply.text += delta;
          ctx.out.show?.(layout());
        },
        ({ chat: answers }) => {
          reply.chat = answers;
          ctx.out.show?.(layout());
        },
      );
      stopped = result.stoppedBy === 'abort';
      reply.note = `${formatCount(result.tokens)} tokens, ${formatCount(result.tokensPerSec)} tok/s${stopped ? ', stopped' : ''}`;
    }
    ctx.out.show?.('');
    // /save keeps each reply as the model wrote it, not the screen's columns.
    const saved = [`Same prompt, seed ${seed}:`, '', ...replies.flatMap((r) => [`**${r.name}** (${r.note}):`, '', fence(shown(r)), ''])].join('\n');
    ctx.out.line(layout(), saved);
  },
});
