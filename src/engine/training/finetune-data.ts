// What a fine-tune learns from: text (a corpus, a file or pasted text; windows of one token stream) or
// conversations (a chats.jsonl for an instruct model; assistant tokens only). Each gives the run its batches,
// its window, and the held-out figures of the learned/forgot report.
import { corpusFromText, loadCorpus, splitDocuments } from '../data/corpus.js';
import { encodeSplits, usableSeqLength } from '../data/dataset.js';
import { isConversationFile, loadConversations } from '../data/conversations.js';
import { instructOf } from '../chat/instruct.js';
import { chatExamples, chatFigures, conversationBatches } from './chat-examples.js';
import { lossFigures } from './evaluate.js';
import { textBatches, type BatchSource } from './batches.js';
import { PASTED_TEXT } from './run-setup.js';
import type { LoadedModel } from '../store/checkpoint.js';
import type { EvalFigures, FinetuneRequest, LanguageModel, Tokenizer, TrainConfig } from '../types.js';

/** Tokens of each held-out set used for the base-vs-variant figures (enough to be stable, quick to run). */
export const REPORT_TOKENS = 8_000;

export interface FinetuneData {
  /** The data's name in the manifest and the report (a corpus name, a path, or 'text'). */
  name: string;
  /** The longest window the data can feed (at most the base's): the run's seqLength. */
  seqLength: number;
  trainTokens: number;
  valTokens: number;
  /** Share of the text the base vocabulary does not know (0 for conversations: the template's tokenizer). */
  unknownFraction: number;
  /** What the start message says about the data, e.g. "12,345 tokens, 0.1% unknown to the base vocabulary". */
  summary: string;
  /** The batches for a run with `train`'s batch size and window. */
  batches(train: Readonly<TrainConfig>): BatchSource;
  /** Loss figures on the held-out part (text windows, or the replies of held-out conversations). */
  heldOut(model: LanguageModel, train: Readonly<TrainConfig>): Promise<EvalFigures>;
}

export async function finetuneData(request: FinetuneRequest, base: LoadedModel): Promise<FinetuneData> {
  if (request.text === undefined && isConversationFile(request.data ?? '')) return conversationData(request.data!, base);
  const corpus = request.text !== undefined ? corpusFromText(request.text) : await loadCorpus(request.data ?? '');
  const splits = encodeSplits(base.tokenizer, splitDocuments(corpus));
  const totalTokens = splits.train.length + splits.val.length;
  const unknownFraction = totalTokens === 0 ? 0 : splits.unknown / totalTokens;
  const seqLength = usableSeqLength(splits, base.manifest.train.seqLength);
  if (seqLength < 2) throw new Error(`fine-tuning data is too small: ${totalTokens} tokens; give at least a few sentences`);
  return {
    name: request.text !== undefined ? PASTED_TEXT : corpus.name,
    seqLength,
    trainTokens: splits.train.length,
    valTokens: splits.val.length,
    unknownFraction,
    summary: `${splits.train.length.toLocaleString('en-US')} tokens, ${(unknownFraction * 100).toFixed(1)}% unknown to the base vocabulary`,
    batches: (train) => textBatches(splits, train),
    heldOut: (model, train) => lossFigures(model, splits.val, splits.valChars, train.seqLength, REPORT_TOKENS),
  };
}

async function conversationData(file: string, base: LoadedModel): Promise<FinetuneData> {
  const window = Math.min(base.manifest.train.seqLength, base.model.contextLength ?? Infinity);
  return conversationSource(file, base.name, base.tokenizer, window);
}

/**
 * Conversations from `file` for the instruct model `modelName` with `tokenizer`, fitted to `window` tokens (a resume
 * passes its run's seqLength: every conversation fitted to the first window fits it with the same turns dropped).
 */
export async function conversationSource(file: string, modelName: string, tokenizer: Tokenizer, window: number): Promise<FinetuneData> {
  const instruct = instructOf(tokenizer);
  if (!instruct) {
    throw new Error(`${modelName} has no chat template, so it cannot learn from conversations: give it a text file, or fine-tune an instruct model on ${file}`);
  }
  const { name, conversations } = await loadConversations(file);
  const encode = (text: string) => tokenizer.encode(text).ids;
  const examples = chatExamples(conversations, instruct, encode, window, name);
  const tokens = (set: typeof examples.train) => set.reduce((n, e) => n + e.ids.length, 0);
  const replyTokens = examples.train.reduce((n, e) => n + e.mask.reduce((a, b) => a + b, 0), 0);
  // The report's held-out conversations: evenly spread ones covering about REPORT_TOKENS tokens.
  const perConversation = tokens(examples.val) / examples.val.length;
  const reportCount = Math.min(examples.val.length, Math.max(1, Math.ceil(REPORT_TOKENS / perConversation)));
  const reportSet = Array.from({ length: reportCount }, (_, i) => examples.val[Math.floor((i * examples.val.length) / reportCount)]!);
  // Padding: the end-of-turn token (any id works: padded positions are masked out and come after the real ones).
  const padId = instruct.stopIds[0] ?? 0;
  return {
    name,
    seqLength: Math.max(...[...examples.train, ...examples.val].map((e) => e.ids.length - 1)),
    trainTokens: tokens(examples.train),
    valTokens: tokens(examples.val),
    unknownFraction: 0,
    summary:
      `${examples.train.length.toLocaleString('en-US')} conversations, ${examples.val.length} held out; ` +
      `loss on the ${replyTokens.toLocaleString('en-US')} assistant tokens of ${tokens(examples.train).toLocaleString('en-US')}` +
      (examples.shortened > 0 ? `; ${examples.shortened} lost their oldest turns to fit ${window + 1} tokens` : ''),
    batches: (train) => conversationBatches(examples, train.batchSize, train.evalBatches, padId),
    heldOut: (model, train) => chatFigures(model, reportSet, train.batchSize, padId),
  };
}
