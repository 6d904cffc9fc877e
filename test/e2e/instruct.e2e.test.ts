// An instruct model in the real app (tmux), made with the real command line: `inkling import` of the tiny Llama
// fixture (SmolLM2's chat template), a fine-tune on a chats.jsonl that teaches it one answer per system prompt,
// `inkling quantize` for a q8 twin, then `inkling chat`: chat mode, the template's own default system prompt,
// /system kept per model, three turns that each end at the end-of-turn token, and /compare of the float and q8
// models, each under its own system prompt; then a second start in 40 columns.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp.js';
import { EXITED, hasTmux, useAppScreen } from './tmux.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(REPO, 'test/fixtures/hf/tiny-llama');
/** What the fine-tuned model answers under each system prompt, whatever the user says. */
const ANSWERS = { 'Be brief.': 'I am a tiny model.', 'Be loud.': 'HELLO THERE!' };

function chatsJsonl(): string {
  const questions = ['hi', 'hello', 'how are you', 'tell me more', 'what is this', 'who are you', 'good morning', 'thanks', 'why'];
  const systems = Object.keys(ANSWERS) as (keyof typeof ANSWERS)[];
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const system = systems[i % systems.length]!;
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: questions[(i * 7) % questions.length] },
      { role: 'assistant', content: ANSWERS[system] },
    ];
    lines.push(JSON.stringify({ messages }));
  }
  return lines.join('\n') + '\n';
}

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `text` as the screen may show it: Ink wraps long lines at any space. */
const wrapped = (text: string) => new RegExp(escaped(text).replace(/ /g, '\\s+'));

/** The text of the reply to `message` (the line under the model's header), or null before it is there. */
function replyTo(screen: string, message: string, model: string): string | null {
  const match = new RegExp(`you › ${escaped(message)}\\n(?:• [\\s\\S]*?\\n)?${escaped(model)} · [\\d.]+ tok/s\\n([^\\n]*)\\n`).exec(screen);
  return match ? match[1]! : null;
}

describe.skipIf(!hasTmux())('an instruct model chatting in a terminal (needs tmux)', () => {
  const tempDir = useTempDir();
  const openApp = useAppScreen();
  let modelsDir: string;
  let configDir: string;

  const inkling = (...args: string[]) =>
    execFileSync('npx', ['tsx', 'src/cli.ts', '--models-dir', modelsDir, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, INKLING_CONFIG_DIR: configDir, INKLING_BACKEND: 'wasm' },
    });

  beforeAll(() => {
    modelsDir = tempDir('inkling-e2e-models-');
    configDir = tempDir('inkling-e2e-config-');
    expect(inkling('import', FIXTURE, '--name', 'tiny-chat')).toMatch(/imported tiny-chat/);
    const chats = path.join(configDir, 'chats.jsonl');
    writeFileSync(chats, chatsJsonl());
    expect(inkling('finetune', '--from', 'tiny-chat', '--data', chats, '--name', 'chat-ft', '--steps', '200', '--lr', '0.01', '--seed', '1')).toMatch(/saved chat-ft/);
    expect(inkling('quantize', 'chat-ft', '--name', 'chat-ft-q8')).toMatch(/saved chat-ft-q8, q8 of chat-ft/);
  }, 600_000);

  it('chats in turns through the template, keeps /system per model, and compares the float and q8 models', async () => {
    const app = openApp({ modelsDir, configDir }, { args: 'chat chat-ft', width: 110, height: 60 });
    await app.waitFor(/chat-ft \(llama, [\d.]+k params\) │ chat mode │/, 90_000);
    await app.waitFor(wrapped('Chat mode: chat-ft answers through its chat template, seeing the conversation (context is now on); no system prompt'));

    // No /system yet: the template renders its own default (SmolLM2's long one), too long for the tiny window.
    await app.enter('hi there');
    await app.waitFor(wrapped("this message needs 87 tokens with the template; the prompt may use 32 of the model's 64 positions"));

    await app.enter('/set max 20');
    await app.waitFor(/max-tokens = 20/);
    await app.enter('/system Be brief.');
    await app.waitFor(/system prompt for chat-ft: Be brief\./);

    // Three turns: each reply is the answer learned under this system prompt, ended by <|im_end|> well before
    // its 20-token cap; from the second on, the oldest turn no longer fits the window and is left out whole.
    for (const message of ['hello', 'who are you', 'thanks']) {
      await app.enter(message);
      const shown = await app.waitFor(new RegExp(`you › ${message}\\n[\\s\\S]*?chat-ft · [\\d.]+ tok/s\\n`));
      expect(replyTo(shown, message, 'chat-ft')).toBe(ANSWERS['Be brief.']);
    }
    expect(app.capture()).toMatch(wrapped("The conversation is longer than chat-ft's window: its oldest 2 messages were left out (whole turns)."));

    // Kept per model: the q8 twin has none until it is given its own; back on chat-ft, chat-ft's is still there.
    await app.enter('/use chat-ft-q8');
    await app.waitFor(/now using chat-ft-q8/);
    expect(app.capture()).toMatch(wrapped('Chat mode: chat-ft-q8 answers through its chat template, seeing the conversation; no system prompt'));
    await app.enter('/system Be loud.');
    await app.waitFor(/system prompt for chat-ft-q8: Be loud\./);
    await app.enter('/use chat-ft');
    await app.waitFor(/now using chat-ft \(/);
    expect(app.capture()).toMatch(wrapped('Chat mode: chat-ft answers through its chat template, seeing the conversation; system prompt: Be brief.'));

    // One user message through both models, each through its template under its own system prompt; both stop.
    await app.enter('/compare chat-ft chat-ft-q8 good morning');
    const compared = await app.waitFor(/same prompt, seed \d+:\nchat-ft {2}\d+ tokens, [\d.,]+ tok\/s +│ chat-ft-q8 {2}\d+ tokens, [\d.,]+ tok\/s\n.*\n/);
    const row = compared.slice(compared.lastIndexOf('same prompt, seed')).split('\n')[2]!;
    expect(row.split('│').map((cell) => cell.trim())).toEqual([ANSWERS['Be brief.'], ANSWERS['Be loud.']]);

    await app.enter('/quit');
    const last = await app.waitFor(new RegExp(EXITED));
    expect(last).not.toMatch(/at .*\.ts:\d+/);
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'));
    expect(config.systemPrompts).toEqual({ 'chat-ft': 'Be brief.', 'chat-ft-q8': 'Be loud.' });
  }, 300_000);

  it('keeps the system prompts for the next start and stacks /compare in 40 columns', async () => {
    // The first test left its settings (max 20) and both system prompts in the config folder.
    const app = openApp({ modelsDir, configDir }, { args: 'chat chat-ft', width: 40, height: 60 });
    await app.waitFor(/chat-ft │ chat mode/, 90_000);
    expect(app.capture()).toMatch(wrapped('system prompt: Be brief.'));
    await app.enter('hello');
    const shown = await app.waitFor(/you › hello\n[\s\S]*?chat-ft · [\d.,]+ tok\/s\n/);
    expect(replyTo(shown, 'hello', 'chat-ft')).toBe(ANSWERS['Be brief.']);

    await app.enter('/compare chat-ft chat-ft-q8 thanks');
    const compared = await app.waitFor(/same prompt, seed \d+:\nchat-ft {2}\d+ tokens.*\n.*\n─+\nchat-ft-q8 {2}\d+ tokens.*\n.*\n/);
    const stacked = compared.slice(compared.lastIndexOf('same prompt, seed')).split('\n');
    expect([stacked[2], stacked[5]]).toEqual([ANSWERS['Be brief.'], ANSWERS['Be loud.']]);
    for (const line of stacked.slice(0, 6)) expect(stringWidth(line)).toBeLessThanOrEqual(40);
    await app.enter('/quit');
    await app.waitFor(new RegExp(EXITED));
  }, 200_000);
});
