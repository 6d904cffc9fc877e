// finetune: a named variant of a base model, trained further on new text (or, for an instruct model, on
// conversations from a chats.jsonl), in the background worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from './define.js';
import { splitArgv } from './split.js';
import { checkCorpus } from './corpus-check.js';
import { checkModelName, findModelDir } from './model-lookup.js';
import { commandLine, refuseWhileTraining, runTraining } from './train.js';
import { CommandError } from './types.js';
import { UsageError } from './args.js';
import { firstLine } from '../engine/first-line.js';
import { modelExistsMessage } from '../engine/store/names.js';
import { defaultLoraSettings } from '../engine/models/lora-settings.js';
import type { FinetuneRequest } from '../engine/types.js';

const spec = {
  options: {
    from: { type: 'string', required: true, arg: 'BASE', values: 'model', description: 'the base model' },
    data: { type: 'string', arg: 'PATH|CORPUS', values: 'corpus', description: 'a text file, a corpus name, or conversations (.jsonl) for an instruct model' },
    text: { type: 'string', arg: 'TEXT', description: 'the data itself (in the chat: the rest of the line)' },
    name: { type: 'string', required: true, arg: 'VARIANT', description: 'name of the new model' },
    steps: { type: 'integer', min: 1, max: 10_000_000, arg: 'N', description: 'optimisation steps' },
    minutes: { type: 'number', min: 0, max: 10_000, minExclusive: true, arg: 'M', description: 'train for this long instead' },
    lr: { type: 'number', min: 0, max: 1, minExclusive: true, arg: 'X', description: 'learning rate (default: lower than training)' },
    freeze: { type: 'integer', min: 0, max: 64, arg: 'N', description: 'freeze the embeddings and the first N layers' },
    batch: { type: 'integer', min: 1, max: 4096, arg: 'N', description: 'sequences per step (default: the base model\'s)' },
    lora: { type: 'integer', min: 1, max: 1024, arg: 'R', description: 'train rank-R LoRA adapters instead of the weights (gpt2, llama); the variant keeps only them' },
    'lora-alpha': { type: 'number', min: 0, max: 100_000, minExclusive: true, arg: 'A', description: 'LoRA scale numerator: updates are scaled by A/R (default: 2R)' },
    'lora-dropout': { type: 'number', min: 0, max: 1, arg: 'P', description: 'dropout on the adapters\' input (default: 0.05)' },
    patience: { type: 'integer', min: 0, max: 1000, arg: 'N', description: 'stop after N evaluations without improvement (0: never)' },
    seed: { type: 'integer', min: 0, max: 2 ** 32 - 1, arg: 'S', description: 'random seed' },
    task: { type: 'string', choices: ['classify'], arg: 'classify', description: 'train a text classifier on top of the base instead (--data: CSV, TSV or JSONL)' },
    'text-column': { type: 'string', arg: 'COL', description: 'classify: the column holding the text (default: text)' },
    'label-column': { type: 'string', arg: 'COL', description: 'classify: the column holding the label (default: label)' },
    val: { type: 'number', min: 0, max: 0.9, minExclusive: true, arg: 'F', description: 'classify: held-out share, stratified by label (default: 0.2)' },
    pool: { type: 'string', choices: ['mean', 'last'], arg: 'mean|last', description: 'classify: pool the hidden states by mean or last token (default: mean)' },
    unfreeze: { type: 'integer', min: 0, max: 64, arg: 'N', description: 'classify: then train the top N layers too, at a lower rate (--lr)' },
    balance: { type: 'boolean', description: 'classify: weight classes by inverse frequency' },
    epochs: { type: 'integer', min: 1, max: 10_000, arg: 'N', description: 'classify: most head epochs (stops early on held-out macro-F1)' },
    resume: { type: 'boolean', description: 'classify: continue a stopped classifier run of the same --name' },
  },
  oneOf: [['data', 'text']],
  exclusive: [['data', 'text'], ['steps', 'minutes']],
  examples: [
    'inkling finetune --from s1 --data poems.txt --name s1-poems --steps 300',
    'inkling finetune --from s1 --data austen-emma --name s1-emma --minutes 2 --freeze 2',
    'inkling finetune --from gpt2 --data shakespeare --name gpt2-bard --lora 8 --minutes 10',
    'inkling finetune --from smol-instruct --data chats.jsonl --name smol-chats --steps 200',
    'inkling finetune --task classify --from gutenberg-gpt --data gutenberg-authors --name authors',
    'inkling finetune --task classify --from gutenberg-lstm --data reviews.csv --label-column sentiment --name moods --balance',
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

/** A chats.jsonl is read and checked before a worker starts, so a bad line is one line at once; text goes to checkCorpus. */
async function checkData(file: string): Promise<void> {
  const { isConversationFile, loadConversations } = await import('../engine/data/conversations.js');
  if (!isConversationFile(file)) {
    await checkCorpus(file, '--data');
    return;
  }
  try {
    await loadConversations(file);
  } catch (error) {
    throw new CommandError(firstLine(error));
  }
}

/** Read and split the labelled file before a worker starts, so a bad file is one line at once. */
async function checkLabelledData(args: FinetuneArgs): Promise<void> {
  const { readLabelled, splitRows } = await import('../engine/tasks/classify/data.js');
  try {
    const data = await readLabelled(args.data!, { textColumn: args.classify?.textColumn, labelColumn: args.classify?.labelColumn });
    splitRows(data.rows, args.classify?.val ?? 0.2, args.seed ?? 1337);
  } catch (error) {
    throw new CommandError(firstLine(error));
  }
}

export const finetuneCommand = defineCommand({
  name: 'finetune',
  summary: 'fine-tune a base model on new text (or conversations) into a named variant',
  scopes: ['cli', 'chat'],
  spec,
  splitChat: splitFinetune,
  build({ options: o }, argv): FinetuneArgs {
    const name = checkModelName(o.name!);
    checkModelName(o.from!);
    if (name === o.from) throw new CommandError('--name must differ from --from: the variant is a new model');
    if (o.text !== undefined && o.text.trim() === '') throw new CommandError('--text is empty: give the text to fine-tune on');
    const classify = o.task === 'classify';
    const classifyOnly = (['text-column', 'label-column', 'val', 'pool', 'unfreeze', 'balance', 'epochs', 'resume'] as const).filter((k) => o[k] !== undefined);
    if (!classify && classifyOnly.length > 0) throw new UsageError(`--${classifyOnly[0]} needs --task classify`);
    if (o.lora === undefined) {
      const loraOnly = (['lora-alpha', 'lora-dropout'] as const).find((k) => o[k] !== undefined);
      if (loraOnly) throw new UsageError(`--${loraOnly} needs --lora R`);
    }
    if (o['lora-dropout'] !== undefined && o['lora-dropout'] >= 1) throw new UsageError(`--lora-dropout must be below 1, got ${o['lora-dropout']}`);
    if (o.lora !== undefined && o.freeze !== undefined) throw new UsageError('--freeze and --lora do not combine: LoRA already keeps every base weight frozen');
    if (classify) {
      const lmOnly = (['text', 'steps', 'minutes', 'freeze', 'patience', 'lora', 'batch'] as const).filter((k) => o[k] !== undefined);
      if (lmOnly.length > 0) throw new UsageError(`--${lmOnly[0]} is for language-model fine-tuning, not --task classify`);
    }
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
      ...(o.batch !== undefined ? { batchSize: o.batch } : {}),
      ...(o.lora !== undefined ? { lora: { ...defaultLoraSettings(o.lora), ...(o['lora-alpha'] !== undefined ? { alpha: o['lora-alpha'] } : {}), ...(o['lora-dropout'] !== undefined ? { dropout: o['lora-dropout'] } : {}) } } : {}),
      ...(o.patience !== undefined ? { patience: o.patience } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(classify
        ? {
            task: 'classify' as const,
            classify: {
              ...(o['text-column'] !== undefined ? { textColumn: o['text-column'] } : {}),
              ...(o['label-column'] !== undefined ? { labelColumn: o['label-column'] } : {}),
              ...(o.val !== undefined ? { val: o.val } : {}),
              ...(o.pool !== undefined ? { pool: o.pool as 'mean' | 'last' } : {}),
              ...(o.unfreeze !== undefined ? { unfreeze: o.unfreeze } : {}),
              ...(o.balance ? { balance: true } : {}),
              ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
              ...(o.resume ? { resume: true } : {}),
            },
          }
        : {}),
      command: commandLine('finetune', shownArgv),
    };
  },
  async run(args, ctx) {
    refuseWhileTraining(ctx);
    await findModelDir(ctx, args.from);
    if (args.task === 'classify') await checkLabelledData(args);
    else if (args.data !== undefined) await checkData(args.data);
    const exists = existsSync(path.join(ctx.modelsDir, args.name));
    if (args.classify?.resume && !exists) throw new CommandError(`cannot resume: no classifier ${args.name} in ${ctx.modelsDir}`);
    if (!args.classify?.resume && exists) throw new CommandError(modelExistsMessage(args.name, args.task === 'classify'));
    await runTraining({ ...args, modelsDir: ctx.modelsDir, ...(ctx.backend ? { backend: ctx.backend } : {}) }, ctx);
  },
});
