// The background pull or import: what comes from where, then the bar with bytes, rate and time left, then the
// file arriving; sized to the terminal's width like the training panel.
import { Box, Text } from 'ink';
import { progressFigures, progressShare } from '../commands/hf-download.js';
import { PANEL_FRAME, progressBar } from './TrainingPanel.js';
import type { DownloadView } from './types.js';

const BAR_WIDTH = 24;
/** Below this the figures alone say it. */
const MIN_BAR = 6;
/** Room kept for the figures ("66% 1013.0 / 1520.0 MB, 11.8 MB/s, 43s left"), so the bar keeps its width as they change. */
const FIGURES_ROOM = 44;

export function DownloadPanel({ download: d, columns = 80 }: { download: DownloadView; columns?: number }) {
  const inner = Math.max(10, columns - PANEL_FRAME);
  const p = d.progress;
  const figures = p ? progressFigures(p) : 'reading the folder and saving the model…';
  const barWidth = Math.min(BAR_WIDTH, inner - FIGURES_ROOM - 1);
  const bar = p && barWidth >= MIN_BAR ? `${progressBar(progressShare(p), 1, barWidth)} ` : '';
  const note = d.stopping ? 'stopping at the next chunk…' : p ? p.file : null;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} marginTop={1}>
      <Text wrap="truncate-end" color="cyan" bold>
        {d.title}
      </Text>
      <Text wrap="truncate-end">{`${bar}${figures}`}</Text>
      {note && (
        <Text wrap="truncate-end" dimColor>
          {note}
        </Text>
      )}
    </Box>
  );
}
