import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyCompletion, InputBox } from './InputBox.js';
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

  it('loses no keys when several chunks arrive before a render (a busy moment, a split paste)', async () => {
    const { controller, app } = await setup();
    app.stdin.write('/train --corpus ');
    app.stdin.write('c.txt');
    app.stdin.write('\r');
    app.stdin.write('next');
    app.stdin.write('\r');
    await vi.waitFor(() => expect(controller.submitted).toEqual(['/train --corpus c.txt', 'next']));
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

  it('edits like a shell line: Ctrl-U clears, Ctrl-A goes home, other Ctrl keys type nothing', async () => {
    const { controller, app, type } = await setup();
    await type('abc');
    await type('\u0015');
    await vi.waitFor(() => expect(app.lastFrame()).not.toMatch(/abc|› u/));
    await type('xy');
    await type('\u0002');
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

describe('applyCompletion', () => {
  it('completes the last word', () => {
    expect(applyCompletion('/use a', ['alpha'])).toEqual({ line: '/use alpha ', shown: [] });
    expect(applyCompletion('/use ', ['alpha', 'alpine'])).toEqual({ line: '/use alp', shown: ['alpha', 'alpine'] });
    expect(applyCompletion('/x', [])).toEqual({ line: '/x', shown: [] });
  });
});
