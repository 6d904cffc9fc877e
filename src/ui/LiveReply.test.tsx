import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LiveReply, tailRows } from './LiveReply.js';

describe('LiveReply', () => {
  it('shows the streaming text under the name of the model writing it', () => {
    const app = render(<LiveReply live={{ label: 'alpha', text: 'To be' }} />);
    expect(app.lastFrame()).toMatch(/alpha\s+To be/);
    app.rerender(<LiveReply live={{ label: 'alpha', text: 'To be, or not' }} />);
    expect(app.lastFrame()).toContain('To be, or not');
  });

  it('shows nothing when nothing streams', () => {
    expect(render(<LiveReply live={null} />).lastFrame()).toBe('');
  });
});

describe('tailRows', () => {
  it('keeps the last rows, counting wrapped lines', () => {
    expect(tailRows('short', 10, 3)).toEqual({ text: 'short', hidden: 0 });
    expect(tailRows('a\nb\nc\nd', 10, 2)).toEqual({ text: 'c\nd', hidden: 2 });
    expect(tailRows('abcdefghij', 4, 2)).toEqual({ text: 'efgh\nij', hidden: 1 });
  });

  it('shows only the tail of a long reply, and says so', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const frame = render(<LiveReply live={{ label: 'alpha', text }} maxLines={5} />).lastFrame()!;
    expect(frame).toContain('line 49');
    expect(frame).not.toContain('line 44');
    expect(frame).toContain('(45 more lines above)');
  });
});
