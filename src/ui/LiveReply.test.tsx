import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LiveReply } from './LiveReply.js';

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
