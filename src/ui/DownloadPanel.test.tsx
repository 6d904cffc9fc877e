// The download panel: the bar keeps its width as the figures change and every line fits the terminal; an
// import (no byte progress) shows what it is doing instead of a bar.
import stringWidth from 'string-width';
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { DownloadPanel } from './DownloadPanel.js';
import type { DownloadView } from './types.js';

const pulling = (received: number, etaSeconds: number | null): DownloadView => ({
  title: 'pulling openai-community/gpt2-medium as gpt2-medium',
  progress: { file: 'model.safetensors', received, total: 1_520_000_000, bytesPerSecond: etaSeconds === null ? null : 11.8e6, etaSeconds },
  stopping: false,
});

const frame = (d: DownloadView, columns: number) =>
  render(
    <Box width={columns}>
      <DownloadPanel download={d} columns={columns} />
    </Box>,
  ).lastFrame() ?? '';
const bar = (text: string) => /[█░]+/.exec(text)?.[0] ?? '';

describe('DownloadPanel', () => {
  for (const columns of [60, 100]) {
    it(`at ${columns} columns: repository, a steady bar with bytes, rate and time left, and the file`, () => {
      const early = frame(pulling(3e6, null), columns);
      const later = frame(pulling(1_013_000_000, 43), columns);
      expect(later).toContain('pulling openai-community/gpt2-medium');
      expect(later).toMatch(/█+░+ 66% 1013\.0 \/ 1520\.0 MB, 11\.8 MB\/s, 43s left/);
      expect(later).toContain('model.safetensors');
      expect(bar(early).length).toBe(bar(later).length);
      for (const line of [...early.split('\n'), ...later.split('\n')]) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
    });
  }

  it('an import has no bytes to count: no bar, a note instead; a stop asked for is shown', () => {
    expect(frame({ title: 'importing /tmp/gpt2', progress: null, stopping: false }, 80)).toMatch(/importing \/tmp\/gpt2[\s\S]*reading the folder and saving the model/);
    expect(frame({ ...pulling(3e6, 10), stopping: true }, 80)).toContain('stopping at the next chunk');
  });
});
