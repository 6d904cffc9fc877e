import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LastResort } from './LastResort.js';

function Broken(): never {
  throw new Error('drawing failed\n    at Broken (LastResort.test.tsx:1:1)');
}

describe('LastResort', () => {
  it('leaves Ink with the error instead of showing a stack trace', async () => {
    const app = render(
      <LastResort>
        <Text>before</Text>
        <Broken />
      </LastResort>,
    );
    // ink-testing-library does not expose waitUntilExit: the frame is what the user would see.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frame = app.lastFrame() ?? '';
    expect(frame).not.toMatch(/drawing failed|at Broken|LastResort\.test/);
    app.unmount();
  });
});
