// /system [TEXT | off]: the system prompt an instruct model answers under, kept per model.
import { defineCommand, requireChat } from './define.js';

export const systemCommand = defineCommand({
  name: 'system',
  summary: "set the system prompt of the model in use (instruct models; kept per model), or clear it with 'off'",
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'TEXT', rest: true, description: 'the system prompt; off clears it; with none, show it' }],
    examples: ['/system You are a terse assistant. Answer in one sentence.', '/system off'],
  },
  build({ positionals }): { set: boolean; text: string | null } {
    const text = positionals.join(' ').trim();
    return text === '' ? { set: false, text: null } : { set: true, text: text === 'off' ? null : text };
  },
  async run(args, ctx) {
    const chat = requireChat(ctx, 'system');
    const model = chat.model?.name;
    if (args.set) chat.setSystemPrompt(args.text);
    const now = chat.systemPrompt;
    const where = model ? ` for ${model}` : '';
    ctx.out.line(now ? `system prompt${where}: ${now}` : `no system prompt${where}: the model's template uses its own default, if it has one`);
  },
});
