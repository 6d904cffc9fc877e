// train: a model from scratch (or --resume) on a corpus, in the background worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { quote, suggest } from './args.js';
import { defineCommand } from './define.js';
import { checkCorpus } from './corpus-check.js';
import { checkModelName } from './model-lookup.js';
import { commandLine, refuseWhileTraining, runTraining } from './training-run.js';
import { CommandError } from './types.js';
import { modelExistsMessage } from '../engine/store/names.js';
import { defaultPreset, listPresets } from '../engine/models/presets.js';
import type { Arch, TokenizerKind, TrainRequest } from '../engine/types.js';

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
