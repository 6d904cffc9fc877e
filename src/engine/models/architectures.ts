// The registry of model families. A family (gpt, lstm/gru, and pretrained ones such as gpt2 or llama) is one
// module that calls registerArchitecture() for each arch name it serves; nothing else in the engine switches
// on the arch. models/index.ts imports every family once, so the registry is full before anyone asks it.
import type { Arch, LanguageModel, ModelConfig, ModelConfigs } from '../types.js';

export interface Architecture<A extends Arch = Arch> {
  readonly arch: A;
  /** A fresh model with random weights (seeded). */
  create(config: ModelConfigs[A], seed: number): LanguageModel;
  /** Parameter count of a config, without building the model (memory checks, manifest validation). */
  parameterCount(config: ModelConfigs[A]): number;
  /** The shape in a few words, for /show and `inkling models`: "4 layers, 4 heads, embedding 128, context 64". */
  describe(config: ModelConfigs[A]): string;
  /**
   * Bytes of activations one training step keeps for the backward pass, per token of the batch (batch x
   * context), without the output logits (runtime/memory.ts adds those). Omitted: a generous default is used.
   */
  trainingActivationBytesPerToken?(config: ModelConfigs[A], seqLength: number): number;
}

const families = new Map<string, Architecture>();

export function registerArchitecture<A extends Arch>(family: Architecture<A>): void {
  if (families.has(family.arch)) throw new Error(`architecture ${family.arch} is registered twice`);
  families.set(family.arch, family as unknown as Architecture);
}

export function isArch(name: unknown): name is Arch {
  return typeof name === 'string' && families.has(name);
}

export function architectureOf(arch: string): Architecture {
  const family = families.get(arch);
  if (!family) throw new Error(`unknown architecture: ${arch} (known: ${[...families.keys()].join(', ')})`);
  return family;
}

export function knownArchitectures(): string[] {
  return [...families.keys()];
}

/** Dispatch helpers: the config carries its arch. */
export const createModel = (config: ModelConfig, seed: number): LanguageModel => architectureOf(config.arch).create(config, seed);
export const countParameters = (config: ModelConfig): number => architectureOf(config.arch).parameterCount(config);
export const activationBytesPerToken = (config: ModelConfig, seqLength: number): number | null =>
  architectureOf(config.arch).trainingActivationBytesPerToken?.(config as never, seqLength) ?? null;
export const describeShape = (config: ModelConfig): string => architectureOf(config.arch).describe(config);
