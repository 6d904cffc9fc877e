// /compare A B [prompt]: the same prompt and seed through two models, the replies side by side.
import { defineCommand, requireChat } from './define.js';
import { formatCount, sideBySide } from './format.js';
import { splitLeadingWords } from './split.js';
import { checkModelName } from './model-lookup.js';
import { CommandError } from './types.js';

export const compareCommand = defineCommand({
  name: 'compare',
  summary: 'run one prompt with one seed through two models and show both replies',
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
    const s = chat.settings;
    // One seed for both, so the difference is the model's.
    const seed = s.seed ?? Math.floor(Math.random() * 2 ** 31);
    const options = { maxTokens: s.maxTokens, temperature: s.temperature, topK: s.topK, topP: s.topP, seed };
    const replies: string[] = [];
    for (const name of [a, b]) {
      let text = '';
      const result = await chat.generateWith(name, prompt, options, (delta) => {
        text += delta;
      });
      if (result.stoppedBy === 'abort') throw new CommandError('compare stopped');
      replies.push(`${name}  ${formatCount(result.tokens)} tokens, ${formatCount(result.tokensPerSec)} tok/s\n${prompt.trim() ? prompt : ''}${text}`);
    }
    const columns = process.stdout.columns || 100;
    ctx.out.line([`same prompt, seed ${seed}:`, ...sideBySide(replies[0]!, replies[1]!, columns)].join('\n'));
  },
});
