// On quit, the conversation is written to the config folder, so two quick Ctrl-C (or a crash) never
// lose it: <config>/conversations/chat-<time>.md, the same Markdown as /save.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstLine } from '../engine/first-line.js';
import type { Turn } from './types.js';

export const CONVERSATIONS_DIR = 'conversations';

/**
 * What the user reads on the way out: where the conversation went, or why it could not be saved; null
 * when there was nothing to keep. `unsent`: prompts still queued when the chat ended, kept at the end.
 */
export function autosaveConversation(
  configDir: string,
  turns: readonly Turn[],
  markdown: () => string,
  unsent: readonly string[] = [],
  now = new Date(),
): string | null {
  if (!turns.some((t) => t.kind === 'user' || t.kind === 'reply') && unsent.length === 0) return null;
  const folder = path.join(configDir, CONVERSATIONS_DIR);
  const stamp = now.toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  try {
    mkdirSync(folder, { recursive: true });
    const text = markdown() + unsent.map((prompt) => `\n**Queued, not sent:**\n\n${fenced(prompt)}\n`).join('');
    for (let n = 1; ; n++) {
      const file = path.join(folder, `chat-${stamp}${n > 1 ? `-${n}` : ''}.md`);
      try {
        // 'wx': never overwrite an earlier conversation saved in the same second.
        writeFileSync(file, text, { encoding: 'utf8', flag: 'wx' });
        return `Conversation saved to ${file}`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
      }
    }
  } catch (err) {
    return `Could not save the conversation in ${folder}: ${firstLine(err)}`;
  }
}

function fenced(text: string): string {
  const ticks = '`'.repeat(Math.max(3, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length + 1)));
  return `${ticks}text\n${text}\n${ticks}`;
}
