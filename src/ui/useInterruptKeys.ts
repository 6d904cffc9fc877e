// Esc stops a generation. Ctrl-C stops a generation or clears the input; a second Ctrl-C within 2 s quits.
import { useInput } from 'ink';
import { useRef } from 'react';
import type { ChatController } from './types.js';

export const QUIT_WINDOW_MS = 2000;

export interface InterruptTargets {
  controller: ChatController;
  isInputEmpty(): boolean;
  clearInput(): void;
  /** A short notice under the input (null clears it). */
  notify(text: string | null): void;
}

export function useInterruptKeys({ controller, isInputEmpty, clearInput, notify }: InterruptTargets): void {
  const lastCtrlC = useRef(0);
  useInput((input, key) => {
    if (key.escape) {
      if (controller.interrupt()) notify('Stopped.');
      return;
    }
    if (!(key.ctrl && input === 'c')) return;
    const now = Date.now();
    if (now - lastCtrlC.current <= QUIT_WINDOW_MS) {
      controller.quit();
      return;
    }
    lastCtrlC.current = now;
    if (!controller.interrupt() && !isInputEmpty()) clearInput();
    notify('Press Ctrl-C again to quit.');
  });
}
