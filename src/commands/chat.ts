// chat [MODEL]: open the chat pane on MODEL (as ollama's `run`); bare `inkling` opens the last used model.
import { defineCommand } from './define.js';
import { findModelDir } from './model-lookup.js';
import { CommandError } from './types.js';

export const chatCommand = defineCommand({
  name: 'chat',
  summary: 'open the chat on a model (inkling alone opens the last one used)',
  scopes: ['cli'],
  spec: {
    options: {},
    positionals: [{ name: 'MODEL', description: 'the model to open (inkling models lists them)', values: 'model' }],
    examples: ['inkling chat gutenberg-lstm', 'inkling chat'],
  },
  build: ({ positionals: [model] }) => ({ model: model ?? null }),
  async run({ model }, ctx) {
    if (!ctx.openChat) throw new CommandError('chat opens from the command line: inkling chat [MODEL]');
    // A wrong name is a one-line error here, not a chat that opens on something else.
    if (model !== null) await findModelDir(ctx, model);
    await ctx.openChat(model ?? undefined);
  },
});
