// Esc stops a generation. Ctrl-C stops a generation or clears the input; a second Ctrl-C within the
// window quits (its hint goes when the window ends). Ctrl-D on an empty line quits, as in a shell.
import { useRef } from 'react';
import type { KeyEvent } from './keys.js';
import type { ChatController } from './types.js';

export const QUIT_WINDOW_MS = 2000;
export const QUIT_HINT = 'Press Ctrl-C again to quit.';

export interface InterruptTargets {
  controller: ChatController;
  isInputEmpty(): boolean;
  clearInput(): void;
  /** A short notice under the input (null clears it); with `forMs`, it goes after that long. */
  notify(text: string | null, forMs?: number): void;
}

/** A handler for the interrupt keys: true when it took the key. */
export function useInterruptKeys({ controller, isInputEmpty, clearInput, notify }: InterruptTargets): (key: KeyEvent) => boolean {
  const lastCtrlC = useRef(-Infinity);
  return (key) => {
    if (key.type === 'key' && key.name === 'escape') {
      if (controller.interrupt()) notify('Stopped.');
      return true;
    }
    if (key.type === 'ctrl' && key.letter === 'd' && isInputEmpty()) {
      controller.quit();
      return true;
    }
    if (!(key.type === 'ctrl' && key.letter === 'c')) return false;
    const now = Date.now();
    if (now - lastCtrlC.current <= QUIT_WINDOW_MS) {
      controller.quit();
      return true;
    }
    lastCtrlC.current = now;
    if (!controller.interrupt() && !isInputEmpty()) clearInput();
    notify(QUIT_HINT, QUIT_WINDOW_MS);
    return true;
  };
}
