// Chat templates rendered by @huggingface/jinja must give exactly what transformers' apply_chat_template gave
// for the fixtures (SmolLM2's and Qwen2.5's real templates), and long conversations lose whole turns only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { type ChatMessage, ChatTemplate, assistantSpans, fitConversation, stopTokenIds } from './template.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/hf');
const readJson = (folder: string, file: string) => JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8'));

interface ChatCase {
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  text: string;
  ids: number[];
}

describe.each(['tiny-llama', 'tiny-qwen2'])('chat template of %s', (folder) => {
  const config = readJson(folder, 'tokenizer_config.json');
  const template = ChatTemplate.fromTokenizerConfig(config)!;
  const tokenizer = new Tokenizer(readJson(folder, 'tokenizer.json'), config);
  const encode = (text: string) => tokenizer.encode(text).ids as number[];
  const cases = readJson(folder, 'reference.json').chat as ChatCase[];

  it.each(cases.map((c, i) => [i, c] as const))('renders conversation %i as transformers does, to the same ids', (_i, c) => {
    const text = template.render(c.messages, c.add_generation_prompt);
    expect(text).toBe(c.text);
    expect(encode(text)).toEqual(c.ids);
  });

  it('stops at the end-of-turn token and every EOS the generation config lists', () => {
    const generation = readJson(folder, 'generation_config.json');
    const ids = stopTokenIds((t) => tokenizer.token_to_id(t) ?? undefined, template.eosToken, generation);
    expect(ids).toContain(tokenizer.token_to_id('<|im_end|>'));
    const listed = generation.eos_token_id;
    for (const id of Array.isArray(listed) ? listed : [listed]) expect(ids).toContain(id);
  });

  it('marks exactly the assistant replies (and their end-of-turn) for the loss', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Fine.' },
      { role: 'assistant', content: 'Good.' },
    ];
    const { ids, spans } = assistantSpans(template, messages, encode);
    expect(spans).toHaveLength(2);
    const spanText = spans.map(([a, b]) => tokenizer.decode(ids.slice(a, b), { skip_special_tokens: false }));
    expect(spanText[0].startsWith('Hello!<|im_end|>')).toBe(true);
    expect(spanText[1].startsWith('Good.<|im_end|>')).toBe(true);
    expect(spanText.join('')).not.toContain('Hi there');
  });
});

describe('fitting a conversation to the window', () => {
  const turns: ChatMessage[] = [
    { role: 'system', content: 'S' },
    { role: 'user', content: 'u1 aaaa' },
    { role: 'assistant', content: 'a1 bbbb' },
    { role: 'user', content: 'u2 cccc' },
    { role: 'assistant', content: 'a2 dddd' },
    { role: 'user', content: 'u3 eeee' },
  ];
  const count = (ms: readonly ChatMessage[]) => ms.reduce((n, m) => n + m.content.length, 0);

  it('keeps everything when it fits', () => {
    expect(fitConversation(turns, count, 1000)).toEqual({ messages: turns, dropped: 0 });
  });

  it('drops the oldest turns whole and keeps the system prompt and the newest message', () => {
    const { messages, dropped } = fitConversation(turns, count, 1 + 7 * 3);
    expect(dropped).toBe(2);
    expect(messages.map((m) => m.content)).toEqual(['S', 'u2 cccc', 'a2 dddd', 'u3 eeee']);
  });

  it('says so in one line when the newest message alone is too long', () => {
    expect(() => fitConversation(turns, count, 5)).toThrow(/needs 8 tokens with the template; the model's window is 5: shorten it/);
    // The window's share kept for the reply is named, so the figure matches the status bar's context.
    expect(() => fitConversation(turns, count, 5, 10)).toThrow(/needs 8 tokens with the template; the prompt may use 5 of the model's 10 positions \(the rest is kept for the reply\)/);
  });
});

describe('models without a template', () => {
  it('are base models', () => {
    expect(ChatTemplate.fromTokenizerConfig(readJson('tiny-llama-untied', 'tokenizer_config.json'))).toBeNull();
  });
  it('refuse a template that does not parse, in one line', () => {
    expect(() => ChatTemplate.fromTokenizerConfig({ chat_template: '{% for m in messages %}' })).toThrow(/chat_template does not parse/);
  });
});
