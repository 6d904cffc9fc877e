// finetune: a named variant of a base model, trained further on new text, in the background worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from './define.js';
import { splitArgv } from './split.js';
import { checkCorpus } from './corpus-check.js';
import { checkModelName, findModelDir } from './model-lookup.js';
import { commandLine, refuseWhileTraining, runTraining } from './training-run.js';
import { CommandError } from './types.js';
import { modelExistsMessage } from '../engine/store/names.js';
import type { FinetuneRequest } from '../engine/types.js';

const spec = {
  options: {
    from: { type: 'string', required: true, arg: 'BASE', values: 'model', description: 'the base model' },
    data: { type: 'string', arg: 'PATH|CORPUS', values: 'corpus', description: 'a text file or a corpus name' },
    text: { type: 'string', arg: 'TEXT', description: 'the data itself (in the chat: the rest of the line)' },
    name: { type: 'string', required: true, arg: 'VARIANT', description: 'name of the new model' },
    steps: { type: 'integer', min: 1, max: 10_000_000, arg: 'N', description: 'optimisation steps' },
    minutes: { type: 'number', min: 0, max: 10_000, minExclusive: true, arg: 'M', description: 'train for this long instead' },
    lr: { type: 'number', min: 0, max: 1, minExclusive: true, arg: 'X', description: 'learning rate (default: lower than training)' },
    freeze: { type: 'integer', min: 0, max: 64, arg: 'N', description: 'freeze the embeddings and the first N layers' },
    patience: { type: 'integer', min: 0, max: 1000, arg: 'N', description: 'stop after N evaluations without improvement (0: never)' },
    seed: { type: 'integer', min: 0, max: 2 ** 32 - 1, arg: 'S', description: 'random seed' },
  },
  oneOf: [['data', 'text']],
  exclusive: [['data', 'text'], ['steps', 'minutes']],
  examples: [
    'inkling finetune --from s1 --data poems.txt --name s1-poems --steps 300',
    'inkling finetune --from s1 --data austen-emma --name s1-emma --minutes 2 --freeze 2',
    '/finetune --from s1 --name s1-sea --text The sea, the sea, the grey and restless sea...',
  ],
} as const;

export type FinetuneArgs = Omit<FinetuneRequest, 'modelsDir'>;

/** Chat: `--text` takes the rest of the line verbatim (quotes, apostrophes and all). */
export function splitFinetune(raw: string): string[] {
  const match = /(^|\s)--text(=|\s+|$)/.exec(raw);
  if (!match) return splitArgv(raw);
  const before = raw.slice(0, match.index);
  let text = raw.slice(match.index + match[0].length).trim();
  const quoted = /^(["'])([\s\S]*)\1$/.exec(text);
  if (quoted) text = quoted[2]!;
  return [...splitArgv(before), `--text=${text}`];
}

export const finetuneCommand = defineCommand({
  name: 'finetune',
  summary: 'fine-tune a base model on new text into a named variant',
  scopes: ['cli', 'chat'],
  spec,
  splitChat: splitFinetune,
  build({ options: o }, argv): FinetuneArgs {
    const name = checkModelName(o.name!);
    checkModelName(o.from!);
    if (name === o.from) throw new CommandError('--name must differ from --from: the variant is a new model');
    if (o.text !== undefined && o.text.trim() === '') throw new CommandError('--text is empty: give the text to fine-tune on');
    const shownArgv = argv.map((a) => (a.startsWith('--text=') && a.length > 200 ? `--text=${a.slice(7, 190)}…` : a));
    return {
      kind: 'finetune',
      name,
      from: o.from!,
      ...(o.data !== undefined ? { data: o.data } : {}),
      ...(o.text !== undefined ? { text: o.text } : {}),
      ...(o.steps !== undefined ? { steps: o.steps } : {}),
      ...(o.minutes !== undefined ? { minutes: o.minutes } : {}),
      ...(o.lr !== undefined ? { learningRate: o.lr } : {}),
      ...(o.freeze !== undefined ? { freeze: o.freeze } : {}),
      ...(o.patience !== undefined ? { patience: o.patience } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      command: commandLine('finetune', shownArgv),
    };
  },
  async run(args, ctx) {
    refuseWhileTraining(ctx);
    await findModelDir(ctx, args.from);
    if (args.data !== undefined) await checkCorpus(args.data, '--data');
    if (existsSync(path.join(ctx.modelsDir, args.name))) throw new CommandError(modelExistsMessage(args.name, false));
    await runTraining({ ...args, modelsDir: ctx.modelsDir, ...(ctx.backend ? { backend: ctx.backend } : {}) }, ctx);
  },
});
