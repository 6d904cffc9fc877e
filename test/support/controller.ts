// A ChatController for component tests: a view you set by hand, actions recorded.
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { afterEach } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/ui/settings-store.js';
import { InputHistory } from '../../src/ui/history.js';
import type { ChatController, ChatView, NewTurn, Turn } from '../../src/ui/types.js';

export class FakeController implements ChatController {
  readonly history: InputHistory;
  readonly submitted: string[] = [];
  completions: Record<string, string[]> = {};
  interrupts = 0;
  /** What interrupt() answers: whether something was running. */
  running = false;
  quitCalls = 0;
  private view: ChatView;
  private listeners = new Set<() => void>();
  private nextId = 1;

  constructor(view: Partial<ChatView> = {}, history: string[] = []) {
    this.history = new InputHistory(null);
    for (const line of history) this.history.add(line);
    this.view = {
      turns: [],
      epoch: 0,
      live: null,
      generating: false,
      model: { name: 'alpha', arch: 'gpt', params: 12_345 },
      backend: 'cpu',
      settings: DEFAULT_SETTINGS,
      lastTokensPerSec: null,
      training: null,
      quitting: false,
      queued: [],
      ...view,
    };
  }

  getView = () => this.view;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(patch: Partial<ChatView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  addTurn(turn: NewTurn): void {
    this.set({ turns: [...this.view.turns, { ...turn, id: this.nextId++ } as Turn] });
  }

  async submit(line: string): Promise<void> {
    this.submitted.push(line);
    this.history.add(line);
  }

  async complete(line: string): Promise<string[]> {
    return this.completions[line] ?? [];
  }

  interrupt(): boolean {
    this.interrupts++;
    return this.running;
  }

  quit(): void {
    this.quitCalls++;
    this.set({ quitting: true });
  }
}

/** Let Ink read a write and render (keys written faster than this get lost). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 30));
}

/**
 * Call at the top of a component test file: returns a mount(element, controller) that renders the element,
 * lets it settle and gives a `type` that writes keys and waits; each test's render is unmounted after it.
 */
export function useMount() {
  let cleanup: (() => void) | null = null;
  afterEach(() => {
    cleanup?.();
    cleanup = null;
  });
  return async <C>(element: ReactElement, controller: C) => {
    const app = render(element);
    cleanup = app.unmount;
    await settle();
    const type = async (text: string) => {
      app.stdin.write(text);
      await settle();
    };
    return { controller, app, type };
  };
}
