// Drive a program in a tmux pseudo-terminal: start it, type, and poll the screen.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export class TmuxScreen {
  /** Own socket, so the test never touches anyone else's tmux sessions. */
  private readonly socket = `inkling-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly name = 'app';

  constructor(command: string, options: { width?: number; height?: number; cwd?: string } = {}) {
    this.tmux(['new-session', '-d', '-s', this.name, '-x', String(options.width ?? 110), '-y', String(options.height ?? 35), '-c', options.cwd ?? process.cwd(), command]);
  }

  /** The screen and its scrollback, as plain text. */
  capture(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-1000', '-t', this.name]);
  }

  /** Type text literally, then Enter in its own send-keys (a chunk with both would arrive as pasted text). */
  async enter(text: string): Promise<void> {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
    await sleep(150);
    this.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /** Type text literally, as one chunk (what a fast burst or a busy moment delivers). */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** Keys by tmux name: Enter, BSpace, Escape, C-c, C-d, Up… */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...names]);
  }

  /** Raw bytes, e.g. control bytes no key name stands for. */
  bytes(...codes: number[]): void {
    this.tmux(['send-keys', '-t', this.name, '-H', ...codes.map((c) => c.toString(16).padStart(2, '0'))]);
  }

  /** Paste as a terminal does: bracketed (ESC[200~ … ESC[201~) when the app asked for it. */
  paste(text: string): void {
    this.tmux(['set-buffer', '-b', 'e2e', '--', text]);
    this.tmux(['paste-buffer', '-p', '-d', '-b', 'e2e', '-t', this.name]);
  }

  resize(width: number, height?: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(width), ...(height ? ['-y', String(height)] : [])]);
  }

  /** Whether the program is still running (the pane shows no exit marker). */
  alive(exitMarker: string): boolean {
    return !this.capture().includes(exitMarker);
  }

  /** Poll until the screen matches, or fail showing what it shows. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never matched ${pattern} within ${timeoutMs} ms; it shows:\n${screen}`);
      await sleep(200);
    }
  }

  close(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the app's command prints once the app has exited (the pane then lingers, so a test can read it). */
export const EXITED = 'INKLING-E2E-EXITED';
const REPO = path.resolve(import.meta.dirname, '../..');

export interface AppOptions {
  /** After the global flags, e.g. 'chat tiny-gpt'. */
  args?: string;
  width?: number;
  height?: number;
  /** How long the pane stays after the app exits. */
  lingerSeconds?: number;
}

/**
 * Call in a describe: returns start(folders, options), which opens the real app in tmux as a user starts it, on
 * the test's own models and config folders and the wasm backend (no GPU probe at start, so the screen only shows
 * the app). Each test's screen is closed after it.
 */
export function useAppScreen(): (folders: { modelsDir: string; configDir: string }, options?: AppOptions) => TmuxScreen {
  let screen: TmuxScreen | null = null;
  afterEach(() => {
    screen?.close();
    screen = null;
  });
  return ({ modelsDir, configDir }, { args, width, height, lingerSeconds = 60 } = {}) => {
    const env = `INKLING_CONFIG_DIR='${configDir}' INKLING_BACKEND=wasm`;
    const command = `${env} npx tsx src/cli.ts --models-dir '${modelsDir}'${args ? ` ${args}` : ''}; echo ${EXITED}; sleep ${lingerSeconds}`;
    screen = new TmuxScreen(command, { cwd: REPO, width, height });
    return screen;
  };
}
