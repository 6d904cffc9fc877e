// /compare in the chat: both columns stream as written, Esc keeps what was written, /save keeps the replies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommandLine } from '../commands/dispatch.js';
import { fakeEngine } from '#test/support/ui.js';
import { Chat } from './session.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'inkling-compare-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function session(pieceDelayMs = 0) {
  const engine = fakeEngine({ reply: [' the', ' sea', ' was', ' calm'], pieceDelayMs });
  engine.deps.runCommandLine = runCommandLine;
  const chat = new Chat({ modelsDir: dir, configDir: dir, deps: engine.deps, backendLabel: 'cpu', frameMs: 0 });
  const live: string[] = [];
  chat.subscribe(() => {
    const text = chat.getView().live?.text;
    if (text && text !== live.at(-1)) live.push(text);
  });
  return { chat, live };
}

const outputs = (chat: Chat) => chat.getView().turns.filter((t) => t.kind === 'output');

describe('/compare in the chat', () => {
  it('shows each column as it is written, not only when both are done', async () => {
    const { chat, live } = session();
    await chat.submit('/compare alpha beta Hi');
    // Partway: alpha has written some of its reply while beta still waits.
    expect(live.some((t) => /alpha {2}writing…/.test(t) && t.includes('Hi the sea') && /beta {2}waiting/.test(t))).toBe(true);
    const [result] = outputs(chat);
    expect(result!.text).toMatch(/alpha {2}\d+ tokens, 42 tok\/s/);
    expect(result!.text).toContain('Hi the sea was calm');
    expect(chat.getView().live).toBeNull();
  });

  it('keeps what was written when Esc stops it', async () => {
    const { chat } = session(5);
    // Esc as soon as alpha has written two pieces.
    let stoppedIt = false;
    chat.subscribe(() => {
      const text = chat.getView().live?.text ?? '';
      if (!stoppedIt && /alpha {2}writing…/.test(text) && text.includes('Hi the sea')) stoppedIt = chat.interrupt();
    });
    await chat.submit('/compare alpha beta Hi');
    expect(stoppedIt).toBe(true);
    const [result] = outputs(chat);
    expect(result!.text).toMatch(/alpha {2}\d+ tokens, 42 tok\/s, stopped/);
    expect(result!.text).toContain('Hi the sea');
    expect(result!.text).toMatch(/beta {2}not run: stopped/);
    expect(chat.getView().turns.filter((t) => t.kind === 'error')).toEqual([]);
  });

  it('is saved as each reply in plain text, not the columns on screen', async () => {
    const { chat } = session();
    await chat.submit('/compare alpha beta Hi');
    const markdown = chat.transcriptMarkdown();
    expect(markdown).toMatch(/\*\*alpha\*\* \(\d+ tokens, 42 tok\/s\):\n\n```text\nHi the sea was calm\n```/);
    expect(markdown).toMatch(/\*\*beta\*\* \(\d+ tokens, 42 tok\/s\):/);
    expect(markdown).not.toContain('│');
  });
});
