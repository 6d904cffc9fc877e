// Sampling contracts: options, results and probability views (re-exported by ../types.ts).

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
