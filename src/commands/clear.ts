// /clear: clear the conversation, not the input history.
import { defineCommand, requireChat } from './define.js';

export const clearCommand = defineCommand({
  name: 'clear',
  summary: 'clear the conversation (the input history stays)',
  scopes: ['chat'],
  spec: { options: {} },
  build: () => null,
  async run(_args, ctx) {
    requireChat(ctx, 'clear').clearTranscript();
  },
});
