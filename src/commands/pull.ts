// pull MODEL_ID: download a GPT-2 from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN honoured) and import it.
import { defineCommand, info } from './define.js';
import { formatDuration, formatParams } from './format.js';
import { firstLine } from '../engine/first-line.js';
import { CommandError } from './types.js';
import type { PullProgress } from '../engine/store/hf-pull.js';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** "[#######.............] 35% 190.2 / 548.1 MB, 11.8 MB/s, 30s left" */
export function progressLine(p: PullProgress): string {
  const share = p.total > 0 ? p.received / p.total : 1;
  const filled = Math.round(share * 20);
  const rate = p.bytesPerSecond === null ? '' : `, ${mb(p.bytesPerSecond)}/s`;
  const eta = p.etaSeconds === null ? '' : `, ${formatDuration(p.etaSeconds)} left`;
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${Math.floor(share * 100)}% ${(p.received / 1e6).toFixed(1)} / ${mb(p.total)}${rate}${eta} (${p.file})`;
}

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
  build: ({ positionals: [repo], options: o }) => ({ repo: repo!, name: o.name as string | undefined, revision: o.revision as string | undefined }),
  async run({ repo, name, revision }, ctx) {
    await ctx.prepareEngine?.();
    const { pullHfModel } = await import('../engine/store/hf-pull.js');
    let shown = 0;
    let shownShare = 0;
    let last: PullProgress | null = null;
    try {
      const result = await pullHfModel({
        repo,
        name,
        revision,
        modelsDir: ctx.modelsDir,
        signal: ctx.signal,
        command: `inkling pull ${repo}${name ? ` --name ${name}` : ''}${revision ? ` --revision ${revision}` : ''}`,
        onProgress: (p) => {
          last = p;
          // A line every second is enough to see it move without flooding a log; the chat's transcript gets one
          // per tenth of the download.
          const share = p.total > 0 ? p.received / p.total : 1;
          if (ctx.chat ? share - shownShare < 0.1 : Date.now() - shown < 1000) return;
          shown = Date.now();
          shownShare = share;
          info(ctx, progressLine(p));
        },
      });
      if (last) info(ctx, progressLine(last));
      ctx.out.line(`pulled ${repo} as ${result.name} (${result.describe}, ${formatParams(result.params)} parameters): ${ctx.chat ? `/use ${result.name} to chat with it` : `inkling generate --model ${result.name}, or finetune --from ${result.name}`}`);
    } catch (error) {
      throw new CommandError(`cannot pull ${repo}: ${firstLine(error)}`);
    }
  },
});
