// Answering in turns: an instruct model (its tokenizer_config.json has a chat_template) gets the whole
// conversation rendered by its own template, oldest turns dropped whole to fit the window, and stops at its
// end-of-turn tokens. A base model has no template and keeps continuing text.
import { HfBpeTokenizer } from '../data/tokenizers/hf.js';
import { generate } from '../sample.js';
import type { LoadedModel } from '../store/checkpoint.js';
import type { GenerationResult, SampleOptions, Tokenizer } from '../types.js';
import { type ChatMessage, ChatTemplate, fitConversation, stopTokenIds } from './template.js';

export interface Instruct {
  template: ChatTemplate;
  /** End-of-turn and EOS ids: a reply ends at any of them. */
  stopIds: number[];
}

/** The chat format of a model's tokenizer, or null for a base model. */
export function instructOf(tokenizer: Tokenizer): Instruct | null {
  if (!(tokenizer instanceof HfBpeTokenizer)) return null;
  const template = ChatTemplate.fromTokenizerConfig(tokenizer.tokenizerConfig as Record<string, unknown>);
  if (!template) return null;
  const stopIds = [...new Set([...stopTokenIds((t) => tokenizer.tokenId(t), template.eosToken, null), ...tokenizer.eosIds])];
  return { template, stopIds };
}

export interface ReplyResult extends GenerationResult {
  /** Messages of the oldest turns left out so the conversation fits the window. */
  droppedMessages: number;
}

/** The window's share kept for the reply when the conversation must be shortened. */
function promptBudget(contextLength: number | null, maxTokens: number): number {
  const window = contextLength ?? 4096;
  return Math.max(Math.floor(window / 2), window - maxTokens);
}

/**
 * The assistant's next message for `messages` (system first if any, ending with the user's), streamed to onText.
 * A system prompt given apart (/system, --system) replaces any system message in `messages`.
 */
export async function reply(
  loaded: LoadedModel,
  instruct: Instruct,
  messages: readonly ChatMessage[],
  options: SampleOptions,
  onText: (delta: string) => void,
  signal?: AbortSignal,
): Promise<ReplyResult> {
  const count = (ms: readonly ChatMessage[]) => loaded.tokenizer.encode(instruct.template.render(ms, true)).ids.length;
  const fitted = fitConversation(messages, count, promptBudget(loaded.model.contextLength, options.maxTokens), loaded.model.contextLength ?? undefined);
  const prompt = instruct.template.render(fitted.messages, true);
  const result = await generate(loaded, prompt, { ...options, stopIds: [...(options.stopIds ?? []), ...instruct.stopIds] }, onText, signal);
  return { ...result, droppedMessages: fitted.dropped };
}

/** The messages of a conversation with an optional system prompt in front. */
export function withSystem(system: string | null, turns: readonly ChatMessage[]): ChatMessage[] {
  const rest = turns.filter((m) => m.role !== 'system');
  return system ? [{ role: 'system', content: system }, ...rest] : rest;
}
