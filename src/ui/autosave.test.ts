import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autosaveConversation } from './autosave.js';
import type { Turn } from './types.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'inkling-autosave-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const talk: Turn[] = [
  { id: 1, kind: 'user', text: 'hello' },
  { id: 2, kind: 'reply', model: 'alpha', text: ' there', tokensPerSec: 3, stopped: true },
];
const when = new Date('2026-12-06T17:50:01.123Z');

describe('autosaveConversation', () => {
  it('writes the conversation to <config>/conversations/chat-<time>.md and says where', () => {
    const said = autosaveConversation(dir, talk, () => '# md\n', [], when);
    const file = path.join(dir, 'conversations', 'chat-2026-12-06T17-50-01.md');
    expect(said).toBe(`Conversation saved to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('# md\n');
  });

  it('never overwrites an earlier one from the same second', () => {
    autosaveConversation(dir, talk, () => 'first', [], when);
    autosaveConversation(dir, talk, () => 'second', [], when);
    expect(readdirSync(path.join(dir, 'conversations')).sort()).toEqual(['chat-2026-12-06T17-50-01-2.md', 'chat-2026-12-06T17-50-01.md']);
  });

  it('keeps prompts still queued when the chat ended, after the conversation', () => {
    const said = autosaveConversation(dir, [], () => '# md\n', ['typed while it opened'], when)!;
    const file = said.replace('Conversation saved to ', '');
    expect(readFileSync(file, 'utf8')).toBe('# md\n\n**Queued, not sent:**\n\n```text\ntyped while it opened\n```\n');
  });

  it('keeps nothing when no prompt was sent', () => {
    expect(autosaveConversation(dir, [{ id: 1, kind: 'info', text: 'Loaded alpha' }], () => 'x', [], when)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says in one line when the folder cannot be written', () => {
    writeFileSync(path.join(dir, 'conversations'), 'a file in the way');
    const said = autosaveConversation(dir, talk, () => 'x', [], when)!;
    expect(said).toMatch(/^Could not save the conversation in .*conversations: /);
    expect(said).not.toContain('\n');
  });
});
