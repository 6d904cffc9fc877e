// /stop: stop the running training or fine-tuning after a save, or the background pull (it resumes later).
import { quote, suggest } from './args.js';
import { defineCommand, requireChat } from './define.js';
import { downloadSource } from './hf-download.js';
import { CommandError } from './types.js';

const WHAT = ['training', 'download'] as const;
type What = (typeof WHAT)[number];

export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'stop the running training or fine-tuning (after a save), or the background /pull (a later /pull resumes it)',
  scopes: ['chat'],
  spec: {
    options: {},
    positionals: [{ name: 'WHAT', description: 'training or download, when both run (default: the one running)' }],
    examples: ['/stop', '/stop download'],
  },
  build: ({ positionals: [what] }): What | null => {
    if (what === undefined) return null;
    if (!(WHAT as readonly string[]).includes(what)) {
      const near = suggest(what, WHAT);
      throw new CommandError(`/stop stops training or download, got ${quote(what)}${near ? ` (did you mean ${near}?)` : ''}`);
    }
    return what as What;
  },
  completeValue: (words) => (words.length === 1 ? WHAT.filter((w) => w.startsWith(words[0]!)) : []),
  async run(what, ctx) {
    const chat = requireChat(ctx, 'stop');
    const training = chat.training?.running ? chat.training.request.name : null;
    const download = chat.download;
    if (what === null && training && download) throw new CommandError(`${training} is training and ${downloadSource(download.request)} is downloading: /stop training or /stop download`);
    if (what === 'download' || (what === null && download)) {
      if (!download) return ctx.out.line('no download is running');
      if (!chat.stopDownload()) return ctx.out.line(`an import cannot stop half way: ${downloadSource(download.request)} is listed when it is done`);
      return ctx.out.line(`stopping the pull of ${downloadSource(download.request)}`);
    }
    const name = chat.training?.request.name;
    if (!chat.stopTraining()) ctx.out.line(what === null ? 'nothing is running: no training, no download' : 'no training is running');
    else ctx.out.line(`stopping ${name ?? 'training'}: saving a checkpoint first`);
  },
});
