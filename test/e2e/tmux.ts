// Drive a program in a tmux pseudo-terminal: start it, type, and poll the screen.
import { execFileSync, spawnSync } from 'node:child_process';

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
