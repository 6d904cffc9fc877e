// /inspect: a cursor over the last reply's tokens, showing what the model weighed at each.
import { defineCommand, requireChat } from './define.js';

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: "walk the last reply's tokens (Left/Right) and see the alternatives at each; Esc ends",
  scopes: ['chat'],
  spec: { options: {}, examples: ['/probs on', '/inspect'] },
  build: () => null,
  async run(_args, ctx) {
    requireChat(ctx, 'inspect').showPanel({ kind: 'inspect' });
  },
});
