// /quit (also /exit, and /bye as in ollama): leave Inkling.
import { defineCommand, requireChat } from './define.js';

export const quitCommand = defineCommand({
  name: 'quit',
  aliases: ['exit', 'q', 'bye'],
  summary: 'leave Inkling (the conversation is saved; a running training stops after a checkpoint)',
  scopes: ['chat'],
  spec: { options: {} },
  build: () => null,
  async run(_args, ctx) {
    requireChat(ctx, 'quit').quit();
  },
});
