// Conversations to fine-tune an instruct model on: a JSONL file, one {"messages":[{"role","content"},...]} a line
// (the layout of Hugging Face chat datasets and OpenAI's fine-tuning files). Each line is checked with zod; the
// first bad line is refused in one line naming its number, so nothing is trained on half-read data.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ChatMessage } from '../chat/template.js';

/** A conversation file is read whole; the same limit as a text corpus's. */
export const MAX_CONVERSATION_BYTES = 100_000_000;

/** `--data` names a conversation file (rather than text) when it ends in .jsonl. */
export function isConversationFile(nameOrPath: string): boolean {
  return /\.jsonl$/i.test(nameOrPath.trim());
}

export const CONVERSATION_FORMAT = '{"messages":[{"role":"user","content":"..."},{"role":"assistant","content":"..."}]}';

const message = z.object({
  role: z.enum(['system', 'user', 'assistant'], { error: () => 'role must be "system", "user" or "assistant"' }),
  content: z.string({ error: () => 'content must be a string' }),
});
const line = z.object({
  messages: z.array(message, { error: () => 'needs a "messages" list' }).min(1, { error: () => '"messages" is empty' }),
});

export interface Conversation {
  /** 1-based line of the file, for messages. */
  line: number;
  messages: ChatMessage[];
}

/** The conversations of a JSONL text; throws one line naming the first bad line. */
export function parseConversations(text: string, name: string): Conversation[] {
  const out: Conversation[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${name} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`${where} is not JSON: each line must be ${CONVERSATION_FORMAT}`);
    }
    const parsed = line.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.length > 0 ? `${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')}: ` : '';
      throw new Error(`${where}: ${at}${issue.message}`);
    }
    const { messages } = parsed.data;
    if (!messages.some((m) => m.role === 'assistant')) {
      throw new Error(`${where} has no assistant message: the loss covers assistant replies, so there is nothing to learn`);
    }
    out.push({ line: i + 1, messages: messages.map((m) => ({ role: m.role, content: m.content })) });
  });
  if (out.length === 0) throw new Error(`${name} has no conversations: give one a line as ${CONVERSATION_FORMAT}`);
  return out;
}

/** Read and check a conversation file. */
export async function loadConversations(file: string): Promise<{ name: string; conversations: Conversation[] }> {
  const name = file.trim();
  const resolved = path.resolve(name.startsWith('~/') ? path.join(process.env.HOME ?? '~', name.slice(2)) : name);
  const info = await stat(resolved).catch(() => null);
  if (!info) throw new Error(`file not found: ${name}`);
  if (!info.isFile()) throw new Error(`${name} is not a regular file: give a JSONL file of conversations`);
  if (info.size >= MAX_CONVERSATION_BYTES) {
    throw new Error(`${name} is too large (${(info.size / 1e6).toFixed(1)} MB); the limit is ${MAX_CONVERSATION_BYTES / 1e6} MB`);
  }
  return { name, conversations: parseConversations(await readFile(resolved, 'utf8'), path.basename(name)) };
}
