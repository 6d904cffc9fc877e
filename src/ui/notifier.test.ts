import { describe, expect, it } from 'vitest';
import { ThrottledNotifier } from './notifier.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ThrottledNotifier', () => {
  it('notifies at once, then folds a burst of changes into one notification', async () => {
    const notifier = new ThrottledNotifier(40);
    let calls = 0;
    notifier.subscribe(() => calls++);
    notifier.notify();
    expect(calls).toBe(1);
    for (let i = 0; i < 100; i++) notifier.notify();
    expect(calls).toBe(1);
    await sleep(80);
    expect(calls).toBe(2);
  });

  it('notifies every change with no frame, and stops after unsubscribe', () => {
    const notifier = new ThrottledNotifier(0);
    let calls = 0;
    const off = notifier.subscribe(() => calls++);
    notifier.notify();
    notifier.notify();
    off();
    notifier.notify();
    expect(calls).toBe(2);
  });
});
