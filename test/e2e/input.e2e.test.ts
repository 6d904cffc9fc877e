// The chat's input as a person (or a terminal) delivers it, in tmux: keys in bursts and with delays,
// several keys in one chunk, colour codes, bracketed paste, a lone Esc, every control byte, text sent
// during a reply, resizes 110 → 60 → 40 mid-reply, and Ctrl-C twice. Nothing may end the app or be lost.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { EXITED, hasTmux, sleep, TmuxScreen, useAppScreen } from './tmux.js';

/** The screen (and scrollback) holds exactly one input box, `width` columns wide: no pieces left from older sizes. */
const oneBox = (width: number) => new RegExp(`^(?![\\s\\S]*╭[\\s\\S]*╭)[\\s\\S]*╭─{${width - 2}}╮\\n[\\s\\S]*╰─{${width - 2}}╯`);

describe.skipIf(!hasTmux())('typing into the chat (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  const tempDir = useTempDir();
  const openApp = useAppScreen();
  const startApp = (width = 110) => openApp({ modelsDir, configDir }, { width, height: 30, lingerSeconds: 120 });

  /** Type like a person on a busy machine: small bursts of 1 to 4 characters, a short pause between. */
  async function typeInBursts(app: TmuxScreen, text: string): Promise<void> {
    const sizes = [1, 3, 2, 4];
    for (let i = 0, n = 0; i < text.length; n++) {
      const size = sizes[n % sizes.length]!;
      app.type(text.slice(i, i + size));
      i += size;
      await sleep(30);
    }
  }

  /** Wait for the chat's first model (the box's placeholder shows before it), then switch to the test's tiny model. */
  async function openTiny(app: TmuxScreen): Promise<void> {
    await app.waitFor(/• Loaded .*Type a prompt, or \/help/, 90_000);
    await app.enter('/use tiny-gpt');
    await app.waitFor(/tiny-gpt \(gpt/, 60_000);
  }

  const history = () => JSON.parse(readFileSync(path.join(configDir, 'history.json'), 'utf8')) as string[];

  beforeAll(async () => {
    modelsDir = tempDir('inkling-e2e-input-models-');
    configDir = tempDir('inkling-e2e-input-config-');
    await makeTinyModel(modelsDir, 'tiny-gpt', { arch: 'gpt' });
  }, 120_000);

  it('applies keys that arrive in bursts and chunks, drops escape codes and control bytes, keeps pastes whole', async () => {
    const app = startApp();
    await openTiny(app);

    // Backspace 5 times, 30 ms apart, after a burst-typed line.
    await typeInBursts(app, 'hello world');
    for (let i = 0; i < 5; i++) {
      app.keys('BSpace');
      await sleep(30);
    }
    await typeInBursts(app, 'there');
    await app.waitFor(/› hello there/);
    app.keys('Enter');
    await app.waitFor(/you › hello there\n[\s\S]*tiny-gpt · \d+\.\d tok\/s/);

    // Two submissions in one chunk are two submissions.
    app.type('/max 8\rthe cat\r');
    await app.waitFor(/max-tokens = 8[\s\S]*you › the cat\n[\s\S]*tiny-gpt · \d+\.\d tok\/s/);

    // Text copied from a coloured terminal: the colour codes go, the text stays.
    app.type('x \u001b[31mred\u001b[0m');
    await app.waitFor(/› x red/);
    app.keys('Enter');
    await app.waitFor(/you › x red\n/);

    // Every control byte, one at a time, into a line with text (Ctrl-C and Enter are tested apart).
    app.type('ctl ');
    for (let code = 0; code < 0x20; code++) {
      if (code === 0x03 || code === 0x0a || code === 0x0d) continue;
      app.bytes(code);
      await sleep(20);
    }
    app.bytes(0x7f);
    app.keys('End');
    app.type(' alive');
    await app.waitFor(/› .*alive/);
    app.keys('Enter');
    await app.waitFor(/you › .*alive\n[\s\S]*tiny-gpt · /);

    // A bracketed paste keeps its line breaks in one prompt, until Enter.
    app.paste('first line\nsecond line');
    await app.waitFor(/› first line\s*│\n│\s+second line/);
    app.keys('Enter');
    await app.waitFor(/you › first line\n\s+second line\n/);

    expect(app.alive(EXITED)).toBe(true);
    const sent = history();
    expect(sent).toEqual(expect.arrayContaining(['hello there', '/max 8', 'the cat', 'x red', 'first line\nsecond line']));
    for (const line of sent) expect(line).toMatch(/^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$/);
    expect(app.capture()).not.toMatch(/Error|at .*\.ts:\d+/);
  }, 300_000);

  it('queues text sent during a reply, stops with a lone Esc, survives resizes, and saves the conversation on Ctrl-C twice', async () => {
    const app = startApp(110);
    await openTiny(app);
    // Long enough to outlast the resizes below on a quiet machine, short enough that a stopped reply's text
    // stays a few hundred lines (a reply of tens of thousands of characters at 40 columns starves the chat).
    await app.enter('/max 8000');
    await app.waitFor(/max-tokens = 8000/);

    // A long reply; a second prompt typed meanwhile waits, visibly.
    await app.enter('a long prompt that the terminal will have to wrap once it is narrow enough to need it');
    await app.waitFor(/you › a long prompt[\s\S]*▍/);
    await app.enter('queued prompt');
    await app.waitFor(/queued › queued prompt/);

    // Resizes mid-reply: the turn's `you ›` stays, the text wraps under it, one box is left.
    app.resize(60);
    await app.waitFor(/you › a long prompt that the terminal will have to wrap\n {6}once/);
    await app.waitFor(oneBox(60));
    app.resize(40);
    await app.waitFor(/you › a long prompt that the terminal\n {6}will have to wrap once it is\n {6}narrow/);
    await app.waitFor(oneBox(40));

    // A lone Esc stops the reply; the queued prompt goes next and is stopped the same way.
    // (The first reply's own header may have scrolled past tmux's history by now: the saved conversation checks it.)
    // Either reply may also have reached its 8,000 tokens first on a fast machine; at least one Esc stops one.
    app.keys('Escape');
    await app.waitFor(/you › queued prompt\n/);
    app.keys('Escape');
    await app.waitFor(/you › queued prompt\n[\s\S]*tiny-gpt · [\d.,]+ tok\/s/);
    expect(app.capture()).not.toContain('queued ›');

    // Back to 110 columns, then Ctrl-C twice: the app quits and says where the conversation went.
    app.resize(110);
    await app.waitFor(oneBox(110));
    app.keys('C-c');
    await app.waitFor(/Press Ctrl-C again to quit/);
    app.keys('C-c');
    const last = await app.waitFor(new RegExp(`Conversation saved to (\\S+)[\\s\\S]*${EXITED}`));
    expect(last).not.toMatch(/Error|at .*\.ts:\d+/);
    const saved = readdirSync(path.join(configDir, 'conversations'));
    expect(saved).toHaveLength(1);
    const markdown = readFileSync(path.join(configDir, 'conversations', saved[0]!), 'utf8');
    expect(markdown).toContain('queued prompt');
    expect(markdown).toContain('a long prompt that the terminal will have to wrap');
    expect(markdown.match(/tokens\/s, stopped/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
