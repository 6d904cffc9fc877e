import { describe, expect, it, vi } from 'vitest';
import { applyCompletion, InputBox } from './InputBox.js';
import { QUIT_HINT, QUIT_WINDOW_MS } from './useInterruptKeys.js';
import { FakeController, useMount } from '#test/support/controller.js';

const mount = useMount();
const setup = (controller = new FakeController()) => mount(<InputBox controller={controller} />, controller);

describe('InputBox', () => {
  it('echoes typed text and sends it on Enter', async () => {
    const { controller, app, type } = await setup();
    await type('hello');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('hello'));
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['hello']));
    expect(app.lastFrame()).not.toContain('hello');
  });

  it('loses no keys when several chunks arrive before a render (a busy moment, a split paste)', async () => {
    const { controller, app } = await setup();
    app.stdin.write('/train --corpus ');
    app.stdin.write('c.txt');
    app.stdin.write('\r');
    app.stdin.write('next');
    app.stdin.write('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['/train --corpus c.txt', 'next']));
  });

  it('applies each key of a chunk: Backspaces erase, every Enter ends a submission', async () => {
    const { controller, type } = await setup();
    await type('hello world\x7f\x7f\x7f\x7f\x7f\r');
    await type('/max 120\rgrep searches for\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['hello ', '/max 120', 'grep searches for']));
  });

  it('keeps a bracketed paste as one input with its line breaks, until Enter', async () => {
    const { controller, app, type } = await setup();
    await type('\u001B[200~line one\r\nline two\u001B[201~');
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(/line one\s*│\n│\s+line two/));
    expect(controller.submitted).toEqual([]);
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['line one\nline two']));
  });

  it('shows no escape sequence or control byte, and sends none (text copied from a coloured terminal)', async () => {
    const { controller, app, type } = await setup();
    // Control bytes that are not keys of the line editor (those are tested apart) type nothing.
    for (let code = 0; code < 0x20; code++) if (!'\x01\x02\x03\x04\x05\x06\x0b\x15\x17\t\n\r\x1b'.includes(String.fromCharCode(code))) await type(String.fromCharCode(code));
    await type('x \u001B[31mred\u001B[0m');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('x red'));
    await type('\u001B[200~\u0000\u0007\u001B]0;t\u0007\u001B[201~');
    await type('!\r');
    await vi.waitFor(() => expect(controller.submitted).toHaveLength(1));
    expect(controller.submitted[0]).toMatch(/^[^\u0000-\u001f\u007f-\u009f]*$/);
    expect(controller.submitted[0]).toContain('x red');
  });

  it('walks the input history with Up and Down, back to the draft', async () => {
    const { app, type } = await setup(new FakeController({}, ['first', 'second']));
    await type('draft');
    await type('\u001B[A');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('second'));
    await type('\u001B[A');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('first'));
    await type('\u001B[B');
    await type('\u001B[B');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('draft'));
  });

  it('puts the cursor at the end of a history entry so typing appends', async () => {
    const { controller, type } = await setup(new FakeController({}, ['/use al']));
    await type('\u001B[A');
    await type('pha');
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['/use alpha']));
  });

  it('completes with Tab, and lists the candidates when there are several', async () => {
    const controller = new FakeController();
    controller.completions = { '/he': ['/help'], '/s': ['/set', '/show', '/stop'] };
    const { app, type } = await setup(controller);
    await type('/he');
    await type('\t');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('/help'));
    await type('\r');
    await type('/s');
    await type('\t');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('/set  /show  /stop'));
    await vi.waitFor(() => expect(controller.submitted).toEqual(['/help ']));
  });

  it('Esc interrupts; Ctrl-C clears the input, and twice quits', async () => {
    const { controller, app, type } = await setup();
    await type('\u001B');
    await vi.waitFor(() => expect(controller.interrupts).toBe(1));
    await type('some text');
    await type('\u0003');
    await vi.waitFor(() => expect(app.lastFrame()).not.toContain('some text'));
    expect(app.lastFrame()).toContain('Ctrl-C again to quit');
    expect(controller.quitCalls).toBe(0);
    await type('\u0003');
    await vi.waitFor(() => expect(controller.quitCalls).toBe(1));
  });

  it('edits like a shell line: Ctrl-U clears, Ctrl-A goes home, other Ctrl keys type nothing', async () => {
    const { controller, app, type } = await setup();
    await type('abc');
    await type('\u0015');
    await vi.waitFor(() => expect(app.lastFrame()).not.toMatch(/abc|› u/));
    await type('xy');
    await type('\u0011');
    await type('z');
    await type('\u0001');
    await type('w');
    await type('\u0005');
    await type('\u007F');
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['wxy']));
  });

  it('Ctrl-C stops a running generation without clearing the input', async () => {
    const controller = new FakeController();
    controller.running = true;
    const { app, type } = await setup(controller);
    await type('keep me');
    await type('\u0003');
    await vi.waitFor(() => expect(controller.interrupts).toBe(1));
    expect(app.lastFrame()).toContain('keep me');
  });
});

describe('InputBox when a key fails', () => {
  it('says so in one line and keeps working', async () => {
    const controller = new FakeController();
    controller.history.up = () => {
      throw new Error('history broke\n    at up (history.ts:1:1)');
    };
    const { app, type } = await setup(controller);
    await type('\u001B[A');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('That key failed: history broke'));
    expect(app.lastFrame()).not.toContain('history.ts');
    await type('still here\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['still here']));
  });
});

describe('InputBox quitting keys', () => {
  it('clears the Ctrl-C hint when its window ends; a press after that asks again', async () => {
    const { controller, app, type } = await setup();
    await type('\u0003');
    expect(app.lastFrame()).toContain(QUIT_HINT);
    await vi.waitFor(() => expect(app.lastFrame()).not.toContain(QUIT_HINT), { timeout: QUIT_WINDOW_MS * 3 });
    await type('\u0003');
    expect(app.lastFrame()).toContain(QUIT_HINT);
    expect(controller.quitCalls).toBe(0);
  });

  it('quits on Ctrl-D on an empty line; with text Ctrl-D deletes under the cursor', async () => {
    const { controller, type } = await setup();
    await type('ab\u0002\u0004');
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['a']));
    expect(controller.quitCalls).toBe(0);
    await type('\u0004');
    await vi.waitFor(() => expect(controller.quitCalls).toBe(1));
  });
});

describe('InputBox layout', () => {
  it('wraps long input inside the box with a hanging indent under the prompt mark', async () => {
    const { app, type } = await setup();
    const long = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
    await type(long);
    const frame = app.lastFrame()!;
    const lines = frame.split('\n').filter((l) => l.startsWith('│'));
    // ink-testing-library's terminal is 100 columns.
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines[0]).toMatch(/^│ › It is a truth/);
    expect(lines[1]).toMatch(/^│ {3}\S/);
    expect(frame.replace(/[│╭╮╰╯─]/g, '').replace(/\s+/g, ' ')).toContain(long);
  });
});

describe('applyCompletion', () => {
  it('completes the last word', () => {
    expect(applyCompletion('/use a', ['alpha'])).toEqual({ line: '/use alpha ', shown: [] });
    expect(applyCompletion('/use ', ['alpha', 'alpine'])).toEqual({ line: '/use alp', shown: ['alpha', 'alpine'] });
    expect(applyCompletion('/x', [])).toEqual({ line: '/x', shown: [] });
    // A folder is completed without the space, so the next Tab lists what it holds.
    expect(applyCompletion('/train --corpus da', ['data/'])).toEqual({ line: '/train --corpus data/', shown: [] });
  });
});
