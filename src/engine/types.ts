// The contracts between engine modules and the front ends (CLI, UI).
// Engine code never imports from src/commands or src/ui.
import type * as tf from '@tensorflow/tfjs-core';

// Tokenizer, sampling and training-run contracts live in types/ and are re-exported here: import everything from this file.
export * from './types/tokenizers.js';
export * from './types/sampling.js';
export * from './types/training.js';

/**
 * Configs by arch name. A model family adds its own with declaration merging
 * (`declare module '../types.js' { interface ModelConfigs { llama: LlamaConfig } }`) next to its code, so a new
 * family plugs in without editing this file or the other families; see models/architectures.ts.
 */
export interface ModelConfigs {
  gpt: GptConfig;
  lstm: RnnConfig;
  gru: RnnConfig;
}
export type Arch = keyof ModelConfigs;
/** 'bpe': a pretrained model's Hugging Face tokenizer (imported, never built from a corpus). */
export type TokenizerKind = 'char' | 'word' | 'bpe';
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface GptConfig {
  arch: 'gpt';
  vocabSize: number;
  contextLength: number;
  layers: number;
  heads: number;
  embedding: number;
  dropout: number;
}

export interface RnnConfig {
  arch: 'lstm' | 'gru';
  vocabSize: number;
  embedding: number;
  hidden: number;
  layers: number;
  dropout: number;
}

export type ModelConfig = ModelConfigs[Arch];

/** Optimisation settings: AdamW with linear warmup then cosine decay, as in nanoGPT. */
export interface TrainConfig {
  batchSize: number;
  seqLength: number;
  learningRate: number;
  minLearningRate: number;
  warmupSteps: number;
  decaySteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  evalInterval: number;
  evalBatches: number;
}

// ---------------------------------------------------------------- models

export interface NamedWeight {
  /** Stable name, used as the key in saved weights, e.g. "block0/attn/qkv/kernel". */
  name: string;
  variable: tf.Variable;
  /** AdamW decays matrices, not biases, gains or (as in nanoGPT) nothing 1-D. */
  decay: boolean;
  /** "embedding", "layer0", "layer1", ..., "head": `--freeze N` freezes embedding + layer0..N-1. */
  group: string;
}

/** Incremental decoding state: the recurrent state, or a KV cache. */
export interface DecodeState {
  /** Tokens consumed so far. */
  readonly length: number;
  dispose(): void;
}

export interface LanguageModel {
  readonly config: ModelConfig;
  readonly weights: readonly NamedWeight[];
  /** Longest context the model attends to (gpt); null for recurrent models. */
  readonly contextLength: number | null;
  /**
   * Hidden states [B, T, d] before the vocabulary head, for classification on top of the model.
   * Causal, so right padding leaves earlier positions unchanged. Caller owns the result.
   */
  hidden?(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D;
  /** Logits [B, T, vocab] for int32 ids [B, T]. Caller owns the result (use tf.tidy). */
  apply(tokens: tf.Tensor2D, training: boolean): tf.Tensor3D;
  createState(): DecodeState;
  /**
   * Consume tokens (a prompt, or the last sampled token) and return the logits [vocab] for the
   * next token. Handles context overflow itself (gpt slides its window). Caller owns the result.
   */
  feed(state: DecodeState, tokens: readonly number[]): tf.Tensor1D;
  parameterCount(): number;
  dispose(): void;
}

// ---------------------------------------------------------------- checkpoints

export interface HistoryPoint {
  step: number;
  trainLoss: number;
  valLoss?: number;
}

export interface CorpusInfo {
  /** A corpus name (gutenberg, shakespeare, austen-emma, ...) or a file path. */
  name: string;
  trainTokens: number;
  valTokens: number;
}

export interface EvalFigures {
  valLoss: number;
  perplexity: number;
  bitsPerChar: number;
}

export interface FinetuneReport {
  data: string;
  unknownFraction: number;
  base: { onData: EvalFigures; onBaseCorpus: EvalFigures };
  variant: { onData: EvalFigures; onBaseCorpus: EvalFigures };
  stoppedEarly: boolean;
  /** The variant trained LoRA adapters (so --freeze is no remedy). */
  lora?: boolean;
}

/** Held-out figures of a classifier (or a baseline) on the same split; confusion rows are true labels. */
export interface ClassifyFigures {
  accuracy: number;
  macroF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
}

export interface ClassifyReport {
  data: string;
  labels: string[];
  trainRows: number;
  valRows: number;
  /** Rows skipped as empty or malformed, with a few reasons. */
  badRows: number;
  badExamples: string[];
  split: 'stratified' | 'split column';
  /** Texts cut to the longest input the classifier reads (their tail is dropped). */
  truncated: number;
  maxTokens: number;
  pool: 'last' | 'mean';
  unfreeze: number;
  classifier: ClassifyFigures;
  majority: ClassifyFigures;
  ngram: ClassifyFigures;
}

/** A classifier's own fields: a base model with a linear head on its pooled hidden states. */
export interface ClassifyInfo {
  labels: string[];
  pool: 'last' | 'mean';
  maxTokens: number;
  unfreeze: number;
  /** Epochs done in each stage, and the stage a --resume would run next. */
  headEpochs: number;
  unfreezeEpochs: number;
  stage: 'head' | 'unfreeze' | 'done';
  data: string;
  report?: ClassifyReport;
}

export interface LoraInfo {
  rank: number;
  alpha: number;
  dropout: number;
  /** Trainable parameters of the adapters. */
  parameters: number;
  baseWeights?: string;
}

export interface Manifest {
  format: 1;
  /** Absent for language models. */
  task?: 'classify';
  classify?: ClassifyInfo;
  name: string;
  arch: Arch;
  config: ModelConfig;
  train: TrainConfig;
  tokenizer: { kind: TokenizerKind; vocabSize: number };
  corpus: CorpusInfo;
  parent: string | null;
  /** Fine-tuning only: frozen groups and the data used. */
  finetune?: { data: string; freeze: number; report?: FinetuneReport };
  /**
   * A LoRA variant: its folder keeps only the adapters (weights.bin) and this manifest; the weights and the
   * tokenizer are its parent's. `baseWeights` is the SHA-256 of the parent's weights.bin when it was trained.
   */
  lora?: LoraInfo;
  step: number;
  bestValLoss: number | null;
  history: HistoryPoint[];
  params: number;
  backend: string;
  wallSeconds: number;
  seed: number;
  /** The command line that produced this model, so it can be rerun. */
  command?: string;
  createdAt: string;
  updatedAt: string;
  /** SHA-256 (hex) of each other file of the folder, recorded at save and verified at load (store/read-folder.ts). */
  checksums?: Record<string, string>;
}
