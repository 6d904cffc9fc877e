// /probs on|off: colour each token of a reply by the probability the model gave it.
import { quote } from './args.js';
import { defineCommand, requireChat } from './define.js';
import { CommandError } from './types.js';

/** on/off as typed; a one-line error otherwise. */
export function onOff(name: string, raw: string): boolean {
  const word = raw.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(word)) return true;
  if (['off', 'false', 'no', '0'].includes(word)) return false;
  throw new CommandError(`${name} takes on or off, got ${quote(raw)}`);
}

export const probsCommand = defineCommand({
  name: 'probs',
  summary: 'colour each token of a reply by its probability (/inspect then shows the alternatives)',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'on|off', description: 'with none, show the current mode' }],
    examples: ['/probs on', '/probs off'],
  },
  build: ({ positionals: [raw] }) => (raw === undefined ? null : onOff('/probs', raw)),
  async run(value, ctx) {
    const chat = requireChat(ctx, 'probs');
    if (value !== null) chat.setSetting('probs', value);
    ctx.out.line(
      chat.settings.probs
        ? 'probs on: replies are coloured by the probability of each token (after temperature, top-k, top-p); /inspect walks the last one'
        : 'probs off: replies are plain text',
    );
  },
  completeValue: (words) => (words.length === 1 ? ['on', 'off'].filter((v) => v.startsWith(words[0]!)) : []),
});
