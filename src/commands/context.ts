// /context on|off: whether earlier turns are prepended to the prompt.
import { defineCommand, requireChat } from './define.js';
import { parseSetting } from './sampling.js';

export const contextCommand = defineCommand({
  name: 'context',
  summary: 'prepend earlier turns as context (within the model window), or not',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'on|off', description: 'with none, show the current mode' }],
    examples: ['/context on', '/context off'],
  },
  build({ positionals: [raw] }) {
    return raw === undefined ? null : (parseSetting('context', raw).value as boolean);
  },
  async run(value, ctx) {
    const chat = requireChat(ctx, 'context');
    if (value !== null) chat.setSetting('context', value);
    ctx.out.line(`context ${chat.settings.context ? 'on: earlier turns are part of the prompt' : 'off: each prompt stands alone'}`);
  },
  completeValue: (words) => (words.length === 1 ? ['on', 'off'].filter((v) => v.startsWith(words[0]!)) : []),
});
