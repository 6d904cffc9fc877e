import { describe, expect, it } from 'vitest';
import { keepGoingOnUnexpectedErrors, runChat } from './main.js';

describe('runChat', () => {
  it('refuses to start without a terminal and says how to use the CLI instead', async () => {
    const saved = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    Object.defineProperty(process.stdin, 'isTTY', { value: undefined, configurable: true });
    try {
      await expect(runChat({ modelsDir: '/nowhere' })).rejects.toThrow(/interactive terminal.*inkling --help/);
    } finally {
      if (saved) Object.defineProperty(process.stdin, 'isTTY', saved);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
    }
  });
});

describe('keepGoingOnUnexpectedErrors', () => {
  it('reports an error nothing caught instead of letting the process handlers end the app, then puts them back', () => {
    const ended: unknown[] = [];
    const endApp = (err: unknown) => ended.push(err);
    process.on('uncaughtException', endApp);
    const reported: unknown[] = [];
    const restore = keepGoingOnUnexpectedErrors((err) => reported.push(err));
    try {
      process.emit('uncaughtException', new Error('boom'));
      process.emit('unhandledRejection', new Error('late'), Promise.resolve());
      expect(reported.map((e) => (e as Error).message)).toEqual(['boom', 'late']);
      expect(ended).toEqual([]);
    } finally {
      restore();
    }
    expect(process.listeners('uncaughtException')).toContain(endApp);
    process.off('uncaughtException', endApp);
  });
});
