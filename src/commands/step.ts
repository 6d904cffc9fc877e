// /step [TEXT]: write a reply one token at a time, choosing each token or letting the settings draw it.
import { defineCommand, requireChat } from './define.js';

export const stepCommand = defineCommand({
  name: 'step',
  summary: 'generate one token at a time: Up/Down choose, Enter accepts, Space samples, Backspace undoes, Esc ends',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'TEXT', rest: true, description: 'the prompt to continue (default: none)' }],
    examples: ['/step Once upon a time', '/step'],
  },
  build: (_parsed, argv) => argv.join(' '),
  // The prompt is the raw rest of the line: spacing and quotes are part of what the model reads.
  splitChat: (raw) => (raw === '' ? [] : [raw]),
  async run(prompt, ctx) {
    requireChat(ctx, 'step').showPanel({ kind: 'step', prompt });
    ctx.out.line('step: Up/Down choose a token, Enter accepts it, Space samples one by the settings, Backspace undoes, Esc ends (the text becomes a reply)');
  },
});
