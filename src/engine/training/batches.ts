// Where a run's batches come from: windows of a token stream (text), or whole conversations padded to a
// batch with a loss mask (chat-examples.ts). The loop draws batches and asks for the held-out loss through
// this one interface; which positions teach (the mask) is the data's business, which weights train the plan's.
import type * as tf from '@tensorflow/tfjs-core';
import { batchAt, randomOffsets, type TokenSplits } from '../data/dataset.js';
import { estimateLoss, validationOffsets } from './evaluate.js';
import type { Random } from '../sample.js';
import type { LanguageModel, TrainConfig } from '../types.js';

export interface TrainBatch {
  x: tf.Tensor2D;
  /** Next-token targets, flattened [B*T]. */
  y: tf.Tensor1D;
  /** 1 where a target counts towards the loss, 0 where it does not (prompt, padding); absent: all count. */
  mask?: tf.Tensor1D;
  /** Real (unpadded) input tokens, for tokens per second. */
  tokens: number;
}

export interface BatchSource {
  /** A training batch drawn with `random`; the caller disposes its tensors. */
  next(random: Random): TrainBatch;
  /** The held-out loss, over the same positions at every call so values compare. */
  valLoss(model: LanguageModel): Promise<number>;
}

/** Random windows of the training stream; the loss over evenly spread windows of the held-out one. */
export function textBatches(splits: TokenSplits, train: Readonly<TrainConfig>): BatchSource {
  const valOffsets = validationOffsets(splits.val, train.seqLength, train.batchSize, train.evalBatches);
  return {
    next(random) {
      const offsets = randomOffsets(splits.train, train.seqLength, train.batchSize, random);
      return { ...batchAt(splits.train, offsets, train.seqLength), tokens: offsets.length * train.seqLength };
    },
    valLoss: (model) => estimateLoss(model, splits.val, valOffsets, train.seqLength, train.batchSize),
  };
}
