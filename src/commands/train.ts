// train: a model from scratch (or --resume) on a corpus, in the background worker.
// runTraining (below, shared with finetune) hands a request to the worker: engine/runtime/worker/entry.ts,
// which runs engine/training/train.ts (the plan, then the loop).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { quote, suggest } from './args.js';
import { defineCommand } from './define.js';
import { checkCorpus } from './corpus-check.js';
import { checkModelName } from './model-lookup.js';
import { classifyReportLines } from './classify-report.js';
import { classifyResultLine, EventPrinter, reportLines, resultLine } from './training-report.js';
import { CommandError, type CommandContext } from './types.js';
import { firstLine } from '../engine/first-line.js';
import { modelExistsMessage } from '../engine/store/names.js';
import { defaultPreset, listPresets } from '../engine/models/presets.js';
import type { Arch, TokenizerKind, TrainingRequest, TrainRequest, TrainResult } from '../engine/types.js';

type Overrides = NonNullable<TrainRequest['overrides']>;

const spec = {
  options: {
    corpus: { type: 'string', arg: 'C', values: 'corpus', description: 'a corpus name (see corpora) or a UTF-8 text file (--resume uses the model\'s own if it is a shipped corpus; give a file again)' },
    arch: { type: 'string', choices: ['gpt', 'lstm', 'gru'], description: 'model architecture (default gpt)' },
    tokenizer: { type: 'string', choices: ['char', 'word'], description: 'characters or words (default char)' },
    preset: { type: 'string', arg: 'P', values: 'preset', description: 'named sizes and schedule (see presets); default per arch' },
    steps: { type: 'integer', min: 1, max: 10_000_000, arg: 'N', description: 'optimisation steps (default: the preset schedule)' },
    minutes: { type: 'number', min: 0, max: 10_000, minExclusive: true, arg: 'M', description: 'train for this long instead; the learning-rate decay is fitted to it' },
    name: { type: 'string', arg: 'NAME', description: 'model name (default <arch>-<corpus>-<n>)' },
    seed: { type: 'integer', min: 0, max: 2 ** 32 - 1, arg: 'S', description: 'random seed, for a repeatable run' },
    resume: { type: 'boolean', description: 'continue model NAME from its checkpoint (step, optimizer state)' },
    'reset-optimizer': { type: 'boolean', description: 'with --resume: start the optimizer fresh from the best weights (when its saved state is broken)' },
    patience: { type: 'integer', min: 0, max: 1000, arg: 'N', description: 'stop after N evaluations without improvement (0: never)' },
    layers: { type: 'integer', min: 1, max: 64, arg: 'N', description: 'layers (gpt blocks or recurrent layers)' },
    heads: { type: 'integer', min: 1, max: 64, arg: 'N', description: 'attention heads (gpt)' },
    embedding: { type: 'integer', min: 1, max: 8192, arg: 'N', description: 'embedding width' },
    hidden: { type: 'integer', min: 1, max: 8192, arg: 'N', description: 'recurrent state size (lstm, gru)' },
    context: { type: 'integer', min: 2, max: 8192, arg: 'N', description: 'context length in tokens' },
    batch: { type: 'integer', min: 1, max: 4096, arg: 'N', description: 'batch size' },
    lr: { type: 'number', min: 0, max: 1, minExclusive: true, arg: 'X', description: 'peak learning rate' },
    dropout: { type: 'number', min: 0, max: 0.95, arg: 'X', description: 'dropout rate' },
    vocab: { type: 'integer', min: 2, max: 1_000_000, arg: 'N', description: 'vocabulary cap (word tokenizer)' },
    lowercase: { type: 'boolean', description: 'lower-case the text first (word tokenizer)' },
  },
  exclusive: [['steps', 'minutes']],
  oneOf: [['corpus', 'resume']],
  examples: [
    'inkling train --corpus shakespeare --arch gpt --preset nano-cpu --minutes 3 --name s1',
    'inkling train --corpus austen-emma --arch lstm --tokenizer word --steps 2000',
    'inkling train --name s1 --resume --steps 4000',
    '/train --corpus shakespeare --arch gru --minutes 5',
  ],
} as const;

export interface TrainArgs {
  /** Everything but the name (which may need the models folder) and the folders. */
  request: Omit<TrainRequest, 'name' | 'modelsDir'>;
  name: string | null;
}

/** `--corpus ~/poems.txt --arch lstm` -> "lstm-poems". */
function namePrefix(arch: Arch, corpus: string): string {
  const stem = path.basename(corpus).replace(/\.[^.]*$/, '').toLowerCase();
  const safe = stem.replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '').slice(0, 40) || 'text';
  return `${arch}-${safe}`;
}

/** The first `<prefix>-<n>` with no folder yet. */
export function defaultName(modelsDir: string, arch: Arch, corpus: string): string {
  const prefix = namePrefix(arch, corpus);
  for (let n = 1; ; n++) if (!existsSync(path.join(modelsDir, `${prefix}-${n}`))) return `${prefix}-${n}`;
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a model on a corpus (in the background in the chat)',
  scopes: ['cli', 'chat'],
  spec,
  build({ options: o }, argv): TrainArgs {
    const arch: Arch = (o.arch as Arch | undefined) ?? 'gpt';
    const tokenizer: TokenizerKind = (o.tokenizer as TokenizerKind | undefined) ?? 'char';
    if (o.preset !== undefined) {
      const presets = listPresets(arch).map((p) => p.name);
      if (!presets.includes(o.preset)) {
        const near = suggest(o.preset, presets);
        throw new CommandError(`no ${arch} preset ${quote(o.preset)}` + (near ? ` (did you mean ${near}?)` : '') + ` — ${arch} presets: ${presets.join(', ')}`);
      }
    }
    if (o.resume && o.name === undefined) throw new CommandError('--resume needs --name NAME (the model to continue)');
    if (o['reset-optimizer'] && !o.resume) throw new CommandError('--reset-optimizer goes with --resume (it restarts the optimizer of a model you continue)');
    if (arch === 'gpt' && o.hidden !== undefined) throw new CommandError('--hidden is for lstm and gru; gpt uses --embedding');
    if (arch !== 'gpt' && o.heads !== undefined) throw new CommandError('--heads is for gpt only');
    if (tokenizer !== 'word' && (o.vocab !== undefined || o.lowercase)) throw new CommandError('--vocab and --lowercase are for --tokenizer word');
    const overrides: Overrides = {};
    const set = <K extends keyof Overrides>(key: K, value: Overrides[K] | undefined) => {
      if (value !== undefined) overrides[key] = value;
    };
    set('layers', o.layers);
    set('heads', o.heads);
    set('embedding', o.embedding);
    set('hidden', o.hidden);
    set('contextLength', o.context);
    set('batchSize', o.batch);
    set('learningRate', o.lr);
    set('dropout', o.dropout);
    set('vocabLimit', o.vocab);
    if (o.lowercase) overrides.lowercase = true;
    return {
      name: o.name === undefined ? null : checkModelName(o.name),
      request: {
        kind: 'train',
        // A resumed run reads its corpus (or kept fine-tune text) from the model's manifest.
        corpus: o.corpus ?? '',
        arch,
        tokenizer,
        preset: o.preset ?? defaultPreset(arch, tokenizer),
        ...(Object.keys(overrides).length ? { overrides } : {}),
        ...(o.steps !== undefined ? { steps: o.steps } : {}),
        ...(o.minutes !== undefined ? { minutes: o.minutes } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.resume ? { resume: true } : {}),
        ...(o['reset-optimizer'] ? { resetOptimizer: true } : {}),
        ...(o.patience !== undefined ? { patience: o.patience } : {}),
        command: commandLine('train', argv),
      },
    };
  },
  async run({ request, name }, ctx) {
    refuseWhileTraining(ctx);
    if (!request.resume || request.corpus) await checkCorpus(request.corpus);
    const modelName = name ?? defaultName(ctx.modelsDir, request.arch, request.corpus);
    const exists = existsSync(path.join(ctx.modelsDir, modelName));
    if (exists && !request.resume) throw new CommandError(modelExistsMessage(modelName, true));
    if (!exists && request.resume) throw new CommandError(`cannot resume: no model ${modelName} in ${ctx.modelsDir}`);
    await runTraining({ ...request, name: modelName, modelsDir: ctx.modelsDir, ...(ctx.backend ? { backend: ctx.backend } : {}) }, ctx);
  },
});

/** The command that produced a model, stored in its manifest so it can be rerun. */
export function commandLine(command: string, argv: readonly string[]): string {
  const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return ['inkling', command, ...argv.map(shellWord)].join(' ');
}

/** Chat: one run at a time. Checked first, so a second /train hears that rather than a side issue. */
export function refuseWhileTraining(ctx: CommandContext): void {
  const running = ctx.chat?.training;
  if (running?.running) throw new CommandError(`${running.request.name} is still training: /stop it first, or wait until it ends`);
}

/**
 * The first save comes minutes into a run: find out now whether the models folder can take it (the
 * folder itself, or the nearest existing folder above it, which the save will create it in).
 */
async function checkModelsDir(dir: string): Promise<void> {
  const { access, stat } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const refuse = (why: string) => new CommandError(`cannot save models in ${dir}: ${why} (--models-dir or INKLING_MODELS_DIR picks another)`);
  let at = path.resolve(dir);
  for (;;) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : error));
    if (info instanceof Error) throw refuse((info as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'it is not a folder' : firstLine(info));
    if (info === null && path.dirname(at) !== at) {
      at = path.dirname(at);
      continue;
    }
    if (!info?.isDirectory()) throw refuse(at === path.resolve(dir) ? 'it is not a folder' : `${at} is not a folder`);
    break;
  }
  await access(at, constants.W_OK).catch(() => {
    throw refuse(`${at} is not writable`);
  });
}

/** Chat: hand the request to the session's worker and return at once. CLI: run it and print events. */
export async function runTraining(request: TrainingRequest, ctx: CommandContext): Promise<void> {
  await checkModelsDir(request.modelsDir);
  if (ctx.chat) {
    refuseWhileTraining(ctx);
    ctx.chat.startTraining(request);
    ctx.out.line(`${request.kind === 'train' ? 'training' : 'fine-tuning'} ${request.name} in the background — /stop ends it with a save; /use ${request.name} once a checkpoint lands`);
    return;
  }
  const { startTraining } = await import('../engine/runtime/worker/client.js');
  const printer = new EventPrinter((line) => ctx.out.line(line));
  const handle = startTraining(request, (event) => printer.handle(event));
  const onAbort = () => handle.stop();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) onAbort();
  let result: TrainResult;
  try {
    result = await handle.done;
  } catch (error) {
    throw new CommandError(firstLine(error));
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
  if (result.report) for (const line of reportLines(result.report)) ctx.out.line(line);
  if (request.kind === 'finetune' && request.task === 'classify') {
    if (result.classifyReport) for (const line of classifyReportLines(result.classifyReport)) ctx.out.line(line);
    ctx.out.line(classifyResultLine(result) + (result.classifyReport ? `; try: inkling classify --model ${result.name} --text "..."` : ''));
  } else ctx.out.line(resultLine(result));
}
