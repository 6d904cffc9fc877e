// An instruct model's conversation format: its tokenizer_config.json `chat_template`, rendered with
// @huggingface/jinja exactly as transformers' apply_chat_template does, plus the tokens that end a turn.
import { Template } from '@huggingface/jinja';
import { firstLine } from '../first-line.js';

export type Role = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: Role;
  content: string;
}

/** A token written as a string or as {content: string} (both appear in tokenizer_config.json). */
function tokenText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return null;
}

export class ChatTemplate {
  private readonly template: Template;

  private constructor(
    readonly source: string,
    readonly bosToken: string | null,
    readonly eosToken: string | null,
  ) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new Error(`tokenizer_config.json: the chat_template does not parse (${firstLine(e, '')})`);
    }
  }

  /** The template of an instruct model, or null for a base model (no chat_template). */
  static fromTokenizerConfig(config: Record<string, unknown>): ChatTemplate | null {
    let source = config.chat_template;
    // Some repos list named templates: [{name: 'default', template}, {name: 'tool_use', ...}].
    if (Array.isArray(source)) {
      const named = source.find((t) => t && (t as { name?: unknown }).name === 'default') ?? source[0];
      source = (named as { template?: unknown } | undefined)?.template;
    }
    if (typeof source !== 'string' || source.trim() === '') return null;
    return new ChatTemplate(source, tokenText(config.bos_token), tokenText(config.eos_token));
  }

  /** The prompt text for `messages`; with `addGenerationPrompt`, it ends where the assistant's answer starts. */
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    try {
      return this.template.render({
        messages,
        add_generation_prompt: addGenerationPrompt,
        bos_token: this.bosToken ?? '',
        eos_token: this.eosToken ?? '',
      });
    } catch (e) {
      throw new Error(`the model's chat template failed: ${firstLine(e, '')}`);
    }
  }
}

/**
 * Ids that end an assistant turn: the tokenizer's EOS, generation_config's eos_token_id (a number or a list),
 * and the template's own end-of-turn marker when the vocabulary has one (`<|im_end|>`, `<|eot_id|>`, `<end_of_turn>`).
 */
export function stopTokenIds(
  tokenId: (token: string) => number | undefined,
  eosToken: string | null,
  generationConfig: Record<string, unknown> | null,
): number[] {
  const ids = new Set<number>();
  const add = (id: unknown) => {
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) ids.add(id);
  };
  if (eosToken) add(tokenId(eosToken));
  const fromConfig = generationConfig?.eos_token_id;
  for (const id of Array.isArray(fromConfig) ? fromConfig : [fromConfig]) add(id);
  for (const marker of ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>']) add(tokenId(marker));
  return [...ids].sort((a, b) => a - b);
}

/**
 * The conversation that fits `budget` tokens: the oldest turns are dropped whole (a user message with the
 * replies after it), never cut; the system message and the newest user turn always stay. Returns the kept
 * messages and how many were dropped, or a one-line Error when the newest turn alone is too long.
 */
export function fitConversation(
  messages: readonly ChatMessage[],
  countTokens: (messages: readonly ChatMessage[]) => number,
  budget: number,
  window: number = budget,
): { messages: ChatMessage[]; dropped: number } {
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  let rest = messages.slice(system.length);
  let dropped = 0;
  while (countTokens([...system, ...rest]) > budget) {
    const nextUser = rest.findIndex((m, i) => i > 0 && m.role === 'user');
    if (nextUser < 0) {
      const size = countTokens([...system, ...rest]);
      const room = budget < window ? `the prompt may use ${budget} of the model's ${window} positions (the rest is kept for the reply)` : `the model's window is ${window}`;
      throw new Error(`this message needs ${size} tokens with the template; ${room}: shorten it, set a shorter system prompt, or lower the reply's max tokens`);
    }
    dropped += nextUser;
    rest = rest.slice(nextUser);
  }
  return { messages: [...system, ...rest], dropped };
}

/**
 * Token ranges of the assistant replies in a rendered conversation, for fine-tuning with the loss on the
 * assistant tokens only: each reply spans from the end of the prompt that asks for it to the end of the
 * conversation that contains it (so the end-of-turn token is learned too).
 */
export function assistantSpans(
  template: ChatTemplate,
  messages: readonly ChatMessage[],
  encode: (text: string) => number[],
): { ids: number[]; spans: Array<[number, number]> } {
  const ids = encode(template.render(messages, false));
  const spans: Array<[number, number]> = [];
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const start = encode(template.render(messages.slice(0, i), true)).length;
    const end = encode(template.render(messages.slice(0, i + 1), false)).length;
    if (end > start) spans.push([start, Math.min(end, ids.length)]);
  });
  return { ids, spans };
}
