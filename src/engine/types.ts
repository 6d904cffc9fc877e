// The contracts between engine modules and the front ends (CLI, UI).
// Engine code never imports from src/commands or src/ui.
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Configs by arch name. A model family adds its own with declaration merging
 * (`declare module '../types.js' { interface ModelConfigs { llama: LlamaConfig } }`) next to its code, so a new
 * family plugs in without editing this file or the other families; see models/architectures.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
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

// ---------------------------------------------------------------- tokenizers

export interface TokenizerJSON {
  kind: TokenizerKind;
  vocab: string[];
  options: Record<string, unknown>;
}

export interface Encoded {
  ids: number[];
  /** Pieces of text the vocabulary does not know (mapped to <unk>, or dropped where there is no <unk>). */
  unknown: number;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  /** Id of `<unk>`, or null when unknown pieces are dropped (char). */
  readonly unkId: number | null;
  /** Ids that end a reply (a pretrained model's end-of-text); absent or empty when none. */
  readonly eosIds?: readonly number[];
  encode(text: string): Encoded;
  /** Prefix-stable: decode(a) is a prefix of decode(a.concat(b)), so streaming can emit deltas. */
  decode(ids: readonly number[]): string;
  /**
   * A fresh streaming decoder: each call returns what decode() of all ids so far adds for the new one, so
   * streaming a reply costs O(1) per token instead of decoding the whole text again.
   */
  decoder(): (id: number) => string;
  /**
   * The token's bytes, for tokenizers whose tokens are bytes (byte-level BPE): a token holding part of a
   * UTF-8 character is then shown as `<0xE2>`. Absent when every token is whole text (char, word).
   */
  tokenBytes?(id: number): Uint8Array;
  toJSON(): TokenizerJSON;
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

// ---------------------------------------------------------------- sampling

export interface SampleOptions {
  maxTokens: number;
  /** 0 means greedy. */
  temperature: number;
  /** 0 means off. */
  topK: number;
  /** 1 means off. */
  topP: number;
  seed?: number;
  stop?: string[];
  /** Keep going past the tokenizer's end-of-text token (pretrained models stop there otherwise). */
  ignoreEos?: boolean;
  /** Ids that end the reply whatever ignoreEos says: an instruct model's end-of-turn tokens. */
  stopIds?: number[];
}

export interface GenerationResult {
  text: string;
  tokens: number;
  tokensPerSec: number;
  msToFirstToken: number;
  /** 'eos': the model's end-of-text token (pretrained models), unless ignoreEos. */
  stoppedBy: 'max-tokens' | 'stop' | 'abort' | 'eos';
  /** Prompt pieces the tokenizer did not know. */
  unknownPromptPieces: number;
  /** Tokens cut from the start of a very long prompt (only its tail is fed); absent when none. */
  droppedPromptTokens?: number;
  /** Each token of `text` with its probabilities: only when asked for (see ProbsRequest). */
  tokenProbs?: TokenProbs[];
}

/** Ask generate() for each token's probabilities; without it, nothing is computed. */
export interface ProbsRequest {
  /** How many of the top candidates to describe at each step. */
  top: number;
  onToken?: (token: TokenProbs) => void;
}

export interface TokenCandidate {
  id: number;
  /** The token on its own; bytes that are not valid UTF-8 alone read `<0xE2>`. */
  label: string;
  /** Natural log of the model's own probability (temperature 1, nothing cut): what eval's loss scores. */
  logprob: number;
  /** The probability the sampler gives it under the settings (temperature, top-k, top-p); 0 when cut. */
  sampled: number;
}

/** The next-token distribution at one position, as the user sees it. */
export interface NextTokenProbs {
  /** The top candidates by the model's probability, most likely first. */
  candidates: TokenCandidate[];
  /** Entropy of the model's distribution (nats). */
  entropy: number;
  /** Entropy of the distribution the sampler draws from (nats). */
  sampledEntropy: number;
  /** How many tokens the sampler can pick from after top-k and top-p. */
  kept: number;
}

export interface TokenProbs extends NextTokenProbs {
  /** What this token added to the text ('' while it holds only part of a character). */
  text: string;
  chosen: TokenCandidate;
}

// ---------------------------------------------------------------- training

export interface TrainRequest {
  kind: 'train';
  name: string;
  modelsDir: string;
  /** Corpus name or path to a UTF-8 text file. */
  corpus: string;
  arch: Arch;
  tokenizer: TokenizerKind;
  preset?: string;
  /** Model and optimisation overrides on top of the preset (e.g. layers, batchSize, learningRate). */
  overrides?: Partial<Omit<GptConfig, 'arch' | 'vocabSize'>> &
    Partial<Omit<RnnConfig, 'arch' | 'vocabSize'>> &
    Partial<TrainConfig> & { vocabLimit?: number; lowercase?: boolean };
  steps?: number;
  minutes?: number;
  seed?: number;
  resume?: boolean;
  /** Stop when validation loss has not improved for this many evaluations (0: never). */
  patience?: number;
  backend?: BackendName;
  command?: string;
}

export interface FinetuneRequest {
  kind: 'finetune';
  name: string;
  modelsDir: string;
  from: string;
  /** A corpus name or file path; or `text` with the data itself. */
  data?: string;
  text?: string;
  steps?: number;
  minutes?: number;
  learningRate?: number;
  freeze?: number;
  seed?: number;
  patience?: number;
  backend?: BackendName;
  command?: string;
  /** Classification on top of the base instead of more language modelling. */
  task?: 'classify';
  classify?: ClassifyOptions;
}

export interface ClassifyOptions {
  textColumn?: string;
  labelColumn?: string;
  /** Held-out share for the stratified split. */
  val?: number;
  pool?: 'last' | 'mean';
  /** Unfreeze the top N blocks (layers) of the base for a second stage at a lower learning rate. */
  unfreeze?: number;
  balance?: boolean;
  epochs?: number;
  resume?: boolean;
}

export type TrainingRequest = TrainRequest | FinetuneRequest;

export type TrainEvent =
  | {
      type: 'start';
      name: string;
      backend: string;
      totalSteps: number | null;
      startStep: number;
      params: number;
      message: string;
      /** When checkpoints land: every `steps` steps, and at least every `seconds` (so the chat can say when a new run becomes usable). */
      saveEvery?: { steps: number; seconds: number };
      /** A classifier run (finetune --task classify): epochs over cached features, not LM steps. */
      task?: 'classify';
    }
  | {
      type: 'progress';
      step: number;
      totalSteps: number | null;
      trainLoss: number;
      tokensPerSec: number;
      elapsedSeconds: number;
      etaSeconds: number | null;
      learningRate: number;
    }
  | { type: 'eval'; step: number; trainLoss: number; valLoss: number; best: boolean }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'log'; message: string }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; message: string };

export interface TrainResult {
  name: string;
  step: number;
  bestValLoss: number | null;
  stoppedBy: 'steps' | 'time' | 'stop' | 'early-stop';
  wallSeconds: number;
  report?: FinetuneReport;
  classifyReport?: ClassifyReport;
}
