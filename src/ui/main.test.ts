import { describe, expect, it } from 'vitest';
import { runChat } from './main.js';

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
