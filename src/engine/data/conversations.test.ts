// A chats.jsonl is checked line by line: the first bad line is refused in one line that names it.
import { describe, expect, it } from 'vitest';
import { isConversationFile, parseConversations } from './conversations.js';

const ok = (user: string, reply: string) => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: reply }] });

describe('reading conversations', () => {
  it('reads the Hugging Face / OpenAI layout, skipping blank lines and keeping line numbers', () => {
    const text = [JSON.stringify({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }], id: 7 }), '', ok('x', 'y')].join('\n');
    const conversations = parseConversations(text, 'chats.jsonl');
    expect(conversations.map((c) => c.line)).toEqual([1, 3]);
    expect(conversations[0]!.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: 'a' },
    ]);
  });

  it.each([
    ['not JSON', `${ok('a', 'b')}\n{"messages": [`, /^chats\.jsonl line 2 is not JSON: each line must be \{"messages"/],
    ['no messages list', `${ok('a', 'b')}\n{"text": "hi"}`, /^chats\.jsonl line 2: messages: needs a "messages" list$/],
    ['an empty list', '{"messages": []}', /^chats\.jsonl line 1: messages: "messages" is empty$/],
    ['an unknown role', '{"messages": [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]}', /^chats\.jsonl line 1: messages\[1\]\.role: role must be "system", "user" or "assistant"$/],
    ['content that is not text', '{"messages": [{"role": "user", "content": null}]}', /^chats\.jsonl line 1: messages\[0\]\.content: content must be a string$/],
    ['no assistant turn', `${ok('a', 'b')}\n\n{"messages": [{"role": "user", "content": "a"}]}`, /^chats\.jsonl line 3 has no assistant message: the loss covers assistant replies/],
    ['an empty file', '\n  \n', /^chats\.jsonl has no conversations: give one a line as/],
  ])('refuses %s in one line naming the line', (_what, text, message) => {
    expect(() => parseConversations(text, 'chats.jsonl')).toThrow(message);
    try {
      parseConversations(text, 'chats.jsonl');
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('takes a .jsonl file as conversations and anything else as text', () => {
    expect(isConversationFile('data/chats.jsonl')).toBe(true);
    expect(isConversationFile('poems.txt')).toBe(false);
    expect(isConversationFile('austen-emma')).toBe(false);
  });
});
