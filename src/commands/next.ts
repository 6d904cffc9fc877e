// /next: a live panel of the next-token candidates for what is typed in the input box.
import { defineCommand, requireChat } from './define.js';
import { onOff } from './probs.js';

export const nextCommand = defineCommand({
  name: 'next',
  summary: 'show the likeliest next tokens for the text being typed, live, before and after the sampling settings',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'on|off', description: 'open (default) or close the panel; Esc closes it too' }],
    examples: ['/next', '/next off', '/temp 1.5'],
  },
  build: ({ positionals: [raw] }) => (raw === undefined ? true : onOff('/next', raw)),
  async run(open, ctx) {
    requireChat(ctx, 'next').showPanel(open ? { kind: 'next' } : { kind: 'close' });
    if (open) ctx.out.line('next: type to see the candidates for what follows your text; /temp, /topk, /topp reshape them; Esc closes');
  },
  completeValue: (words) => (words.length === 1 ? ['on', 'off'].filter((v) => v.startsWith(words[0]!)) : []),
});
