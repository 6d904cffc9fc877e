// pull MODEL_ID: download a GPT-2 from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN honoured) and import it.
// The CLI runs it in the foreground; the chat hands it to the session, which runs it in the background.
import { defineCommand, info } from './define.js';
import { progressLine, runDownload, startInChat } from './hf-download.js';
import type { DownloadRequest } from './types.js';
import type { PullProgress } from '../engine/store/hf-pull.js';

export const pullCommand = defineCommand({
  name: 'pull',
  summary: 'download a GPT-2 from the Hugging Face hub and make it a model (resumes; HF_TOKEN, HF_ENDPOINT)',
  scopes: ['cli', 'chat'],
  spec: {
    options: {
      name: { type: 'string', arg: 'NAME', description: 'name of the new model (default: the repository name)' },
      revision: { type: 'string', arg: 'REV', description: 'branch, tag or commit (default: main)' },
    },
    positionals: [{ name: 'MODEL_ID', description: 'a hub repository, e.g. openai-community/gpt2', required: true }],
    examples: ['inkling pull openai-community/gpt2', 'inkling pull distilbert/distilgpt2 --name distilgpt2', '/pull openai-community/gpt2'],
  },
  build: ({ positionals: [repo], options: o }): DownloadRequest => ({
    kind: 'pull',
    repo: repo!,
    ...(o.name !== undefined ? { name: o.name as string } : {}),
    ...(o.revision !== undefined ? { revision: o.revision as string } : {}),
  }),
  async run(request, ctx) {
    if (ctx.chat) return startInChat(request, ctx.chat, ctx);
    await ctx.prepareEngine?.();
    let shown = 0;
    let last: PullProgress | null = null;
    const line = await runDownload(request, {
      modelsDir: ctx.modelsDir,
      chat: false,
      signal: ctx.signal,
      onProgress: (p) => {
        last = p;
        // A line every second is enough to see it move without flooding a log.
        if (Date.now() - shown < 1000) return;
        shown = Date.now();
        info(ctx, progressLine(p));
      },
    });
    if (last) info(ctx, progressLine(last));
    ctx.out.line(line);
  },
});
