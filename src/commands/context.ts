// /context on|off: whether earlier turns are prepended to the prompt.
import type { Manifest } from '../engine/types.js';
import { defineCommand, requireChat } from './define.js';
import { formatWindow } from './format.js';
import { parseSetting } from './sampling.js';

/** Recurrent models have no window; past this many tokens old turns add time, not much sense. */
export const RECURRENT_CONTEXT_TOKENS = 1024;

/** How much of the conversation can reach a model with /context on: "last 64 chars". */
export function contextReach(manifest: Pick<Manifest, 'config' | 'tokenizer'>): string {
  const config = manifest.config as { contextLength?: number };
  return `last ${formatWindow(config.contextLength ?? RECURRENT_CONTEXT_TOKENS, manifest.tokenizer.kind)}`;
}

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
    const reach = chat.model ? `, as far as ${chat.model.name}'s window goes (context: ${contextReach(chat.model.manifest)}, whole exchanges only)` : '';
    ctx.out.line(`context ${chat.settings.context ? `on: earlier turns are part of the prompt${reach}` : 'off: each prompt stands alone'}`);
  },
  completeValue: (words) => (words.length === 1 ? ['on', 'off'].filter((v) => v.startsWith(words[0]!)) : []),
});
