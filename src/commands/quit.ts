// /quit (also /exit): leave Inkling.
import { defineCommand, requireChat } from './define.js';

export const quitCommand = defineCommand({
  name: 'quit',
  aliases: ['exit', 'q'],
  summary: 'leave Inkling (a running training is stopped after a save)',
  scopes: ['chat'],
  spec: { options: {} },
  build: () => null,
  async run(_args, ctx) {
    requireChat(ctx, 'quit').quit();
  },
});
