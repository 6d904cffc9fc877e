// Named model + optimisation settings per architecture, and user overrides on top of them.
import type { Arch, GptConfig, ModelConfig, RnnConfig, TokenizerKind, TrainConfig, TrainRequest } from '../types.js';

type GptSizes = Omit<GptConfig, 'arch' | 'vocabSize'>;
type RnnSizes = Omit<RnnConfig, 'arch' | 'vocabSize'>;
export type Overrides = NonNullable<TrainRequest['overrides']>;

interface Preset {
  arch: Arch;
  name: string;
  description: string;
  model: GptSizes | RnnSizes;
  train: TrainConfig;
}

export interface PresetInfo {
  arch: Arch;
  name: string;
  description: string;
}

const evalDefaults = { evalInterval: 250, evalBatches: 20 };

/** nanoGPT's config/train_shakespeare_char.py as adjusted for a CPU in its README. */
const NANO_CPU: Preset = {
  arch: 'gpt',
  name: 'nano-cpu',
  description: "nanoGPT's CPU recipe for Shakespeare: 4 layers, 4 heads, d128, context 64, batch 12, 2000-step cosine",
  model: { contextLength: 64, layers: 4, heads: 4, embedding: 128, dropout: 0 },
  train: {
    batchSize: 12, seqLength: 64, learningRate: 1e-3, minLearningRate: 1e-4, warmupSteps: 100, decaySteps: 2000,
    weightDecay: 0.1, beta1: 0.9, beta2: 0.99, gradClip: 1.0, ...evalDefaults,
  },
};

const GPT_PRESETS: Preset[] = [
  NANO_CPU,
  {
    arch: 'gpt',
    name: 'small',
    description: 'a larger GPT: 6 layers, 6 heads, d192, context 128, batch 16 (wants wasm or better)',
    model: { contextLength: 128, layers: 6, heads: 6, embedding: 192, dropout: 0.1 },
    train: { ...NANO_CPU.train, batchSize: 16, seqLength: 128, decaySteps: 5000 },
  },
  {
    arch: 'gpt',
    name: 'tiny',
    description: 'a toy GPT for tests and quick tries: 2 layers, 2 heads, d32, context 32, batch 8',
    model: { contextLength: 32, layers: 2, heads: 2, embedding: 32, dropout: 0 },
    train: { ...NANO_CPU.train, batchSize: 8, seqLength: 32, learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: 10, decaySteps: 500, evalInterval: 50, evalBatches: 4 },
  },
];

/** Adam as in the Keras text-generation tutorials: constant rate, no decay or clipping. */
const ADAM: TrainConfig = {
  batchSize: 32, seqLength: 64, learningRate: 2e-3, minLearningRate: 2e-3, warmupSteps: 0, decaySteps: 0,
  weightDecay: 0, beta1: 0.9, beta2: 0.999, gradClip: 0, ...evalDefaults,
};

function rnnPresets(arch: 'lstm' | 'gru'): Preset[] {
  const NAME = arch.toUpperCase();
  return [
    {
      arch, name: 'char',
      description: `character-level ${NAME}: embedding 64, 1 layer of 256, sequences of 64, batch 32, Adam 2e-3`,
      model: { embedding: 64, hidden: 256, layers: 1, dropout: 0 },
      train: { ...ADAM },
    },
    {
      arch, name: 'word',
      description: `word-level ${NAME}: embedding 128, 1 layer of 256, sequences of 32, batch 32, Adam 1e-3`,
      model: { embedding: 128, hidden: 256, layers: 1, dropout: 0 },
      train: { ...ADAM, seqLength: 32, learningRate: 1e-3, minLearningRate: 1e-3 },
    },
    {
      arch, name: 'tiny',
      description: `a toy ${NAME} for tests: embedding 16, 1 layer of 32, sequences of 16, batch 8`,
      model: { embedding: 16, hidden: 32, layers: 1, dropout: 0 },
      train: { ...ADAM, batchSize: 8, seqLength: 16, learningRate: 1e-2, minLearningRate: 1e-2, evalInterval: 50, evalBatches: 4 },
    },
  ];
}

const PRESETS: Preset[] = [...GPT_PRESETS, ...rnnPresets('lstm'), ...rnnPresets('gru')];

export function listPresets(arch?: Arch): PresetInfo[] {
  return PRESETS.filter((p) => !arch || p.arch === arch).map(({ arch: a, name, description }) => ({ arch: a, name, description }));
}

export function defaultPreset(arch: Arch, tokenizer: TokenizerKind): string {
  if (arch === 'gpt') return 'nano-cpu';
  return tokenizer === 'word' ? 'word' : 'char';
}

const GPT_KEYS = ['contextLength', 'layers', 'heads', 'embedding', 'dropout'] as const;
const RNN_KEYS = ['embedding', 'hidden', 'layers', 'dropout'] as const;
const TRAIN_KEYS = [
  'batchSize', 'seqLength', 'learningRate', 'minLearningRate', 'warmupSteps', 'decaySteps',
  'weightDecay', 'beta1', 'beta2', 'gradClip', 'evalInterval', 'evalBatches',
] as const;
/** Tokenizer options travel with the overrides; they are not ours to check. */
const TOKENIZER_KEYS = ['vocabLimit', 'lowercase'];

type Rule = 'positiveInt' | 'nonNegativeInt' | 'positive' | 'nonNegative' | 'fraction';
const RULES: Record<string, Rule> = {
  contextLength: 'positiveInt', layers: 'positiveInt', heads: 'positiveInt', embedding: 'positiveInt',
  hidden: 'positiveInt', dropout: 'fraction', batchSize: 'positiveInt', seqLength: 'positiveInt',
  learningRate: 'positive', minLearningRate: 'nonNegative', warmupSteps: 'nonNegativeInt',
  decaySteps: 'nonNegativeInt', weightDecay: 'nonNegative', beta1: 'fraction', beta2: 'fraction',
  gradClip: 'nonNegative', evalInterval: 'positiveInt', evalBatches: 'positiveInt',
};
const RULE_TEXT: Record<Rule, string> = {
  positiveInt: 'a whole number > 0',
  nonNegativeInt: 'a whole number >= 0',
  positive: 'a number > 0',
  nonNegative: 'a number >= 0',
  fraction: 'a number in [0, 1)',
};

function check(key: string, value: unknown): number {
  const rule = RULES[key];
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule === 'positiveInt' ? Number.isInteger(value) && value > 0
      : rule === 'nonNegativeInt' ? Number.isInteger(value) && value >= 0
      : rule === 'positive' ? value > 0
      : rule === 'nonNegative' ? value >= 0
      : value >= 0 && value < 1);
  if (!ok) throw new Error(`${key} must be ${RULE_TEXT[rule]}, got ${String(value)}`);
  return value as number;
}

/**
 * The preset's model and optimisation settings with overrides applied and checked. Returns fresh
 * objects. For gpt, seqLength follows contextLength unless given. A learningRate override without
 * minLearningRate keeps the preset's min/max ratio (so a constant schedule stays constant).
 */
export function resolveConfig(
  arch: Arch,
  preset: string | undefined,
  vocabSize: number,
  overrides: Overrides = {},
): { model: ModelConfig; train: TrainConfig } {
  const name = preset ?? defaultPreset(arch, 'char');
  const found = PRESETS.find((p) => p.arch === arch && p.name === name);
  if (!found) {
    const known = listPresets(arch).map((p) => p.name);
    if (known.length === 0) throw new Error(`unknown architecture '${arch}': use gpt, lstm or gru`);
    throw new Error(`unknown ${arch} preset '${name}': use one of ${known.join(', ')}`);
  }
  if (!Number.isInteger(vocabSize) || vocabSize < 2) throw new Error(`vocabulary size must be at least 2, got ${vocabSize}`);
  const modelKeys: readonly string[] = arch === 'gpt' ? GPT_KEYS : RNN_KEYS;
  const sizes: Record<string, number> = { ...found.model };
  const train: TrainConfig = { ...found.train };
  const given = Object.entries(overrides).filter(([, v]) => v !== undefined);
  for (const [key, value] of given) {
    if (TOKENIZER_KEYS.includes(key)) continue;
    if (modelKeys.includes(key)) sizes[key] = check(key, value);
    else if ((TRAIN_KEYS as readonly string[]).includes(key)) (train as unknown as Record<string, number>)[key] = check(key, value);
    else if (key in RULES) throw new Error(`${key} does not apply to ${arch} models`);
    else throw new Error(`unknown setting '${key}'`);
  }
  const has = (key: string) => given.some(([k]) => k === key);
  if (has('learningRate') && !has('minLearningRate')) {
    train.minLearningRate = train.learningRate * (found.train.minLearningRate / found.train.learningRate);
  }
  if (train.minLearningRate > train.learningRate) {
    throw new Error(`minLearningRate (${train.minLearningRate}) must not exceed learningRate (${train.learningRate})`);
  }
  if (arch === 'gpt') {
    const gpt = { arch, vocabSize, ...sizes } as GptConfig;
    if (gpt.embedding % gpt.heads !== 0) {
      throw new Error(`heads (${gpt.heads}) must divide embedding (${gpt.embedding})`);
    }
    if (!has('seqLength')) train.seqLength = gpt.contextLength;
    if (train.seqLength > gpt.contextLength) {
      throw new Error(`seqLength (${train.seqLength}) must not exceed contextLength (${gpt.contextLength})`);
    }
    return { model: gpt, train };
  }
  return { model: { arch, vocabSize, ...sizes } as RnnConfig, train };
}
