import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyCompletion, InputBox, splitTyped } from './InputBox.js';
import { FakeController, settle } from './testing/fake-controller.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

async function setup(controller = new FakeController()) {
  const app = render(<InputBox controller={controller} />);
  cleanup = app.unmount;
  await settle();
  const type = async (text: string) => {
    app.stdin.write(text);
    await settle();
  };
  return { controller, app, type };
}

describe('InputBox', () => {
  it('echoes typed text and sends it on Enter', async () => {
    const { controller, app, type } = await setup();
    await type('hello');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('hello'));
    await type('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['hello']));
    expect(app.lastFrame()).not.toContain('hello');
  });

  it('treats text and a newline in one chunk as Enter, and a multi-line paste as one input', async () => {
    const { controller, type } = await setup();
    await type('one chunk\r');
    await type('line one\nline two\n');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['one chunk', 'line one\nline two']));
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

  it('clears the line on Ctrl-U and types nothing for other Ctrl keys', async () => {
    const { app, type } = await setup();
    await type('abc');
    await type('\u0015');
    await vi.waitFor(() => expect(app.lastFrame()).not.toMatch(/abc|› u/));
    await type('xy');
    await type('\u0001');
    await type('z');
    await vi.waitFor(() => expect(app.lastFrame()).toContain('xyz'));
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

describe('splitTyped and applyCompletion', () => {
  it('split on a trailing newline only', () => {
    expect(splitTyped('a\r\nb\r')).toEqual({ submit: 'a\nb' });
    expect(splitTyped('a\rb')).toEqual({ keep: 'a\nb' });
  });

  it('complete the last word', () => {
    expect(applyCompletion('/use a', ['alpha'])).toEqual({ line: '/use alpha ', shown: [] });
    expect(applyCompletion('/use ', ['alpha', 'alpine'])).toEqual({ line: '/use alp', shown: ['alpha', 'alpine'] });
    expect(applyCompletion('/x', [])).toEqual({ line: '/x', shown: [] });
  });
});
