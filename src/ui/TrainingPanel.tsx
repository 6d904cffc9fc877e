// The background run: progress bar with step/total, ETA, speed, losses, and the loss chart.
import { Box, Text } from 'ink';
import { formatCount, formatDuration, formatLoss } from '../commands/format.js';
import { LossChart } from './LossChart.js';
import type { TrainingView } from './types.js';

const BAR_WIDTH = 24;

export function progressBar(step: number, total: number, width = BAR_WIDTH): string {
  const done = Math.max(0, Math.min(width, Math.round((step / Math.max(1, total)) * width)));
  return '█'.repeat(done) + '░'.repeat(width - done);
}

export function TrainingPanel({ training: t }: { training: TrainingView }) {
  const progress = t.totalSteps ? `${progressBar(t.step, t.totalSteps)} ${t.step}/${t.totalSteps}` : `step ${t.step}`;
  const speed = t.tokensPerSec === null ? '–' : formatCount(t.tokensPerSec);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1} marginTop={1}>
      <Text wrap="truncate-end">
        <Text color="magenta" bold>{`training ${t.name} `}</Text>
        <Text>{progress}</Text>
      </Text>
      <Text wrap="truncate-end" dimColor>
        {`ETA ${formatDuration(t.etaSeconds)} · ${speed} tok/s · train loss ${formatLoss(t.trainLoss)} · val loss ${formatLoss(t.valLoss)}`}
      </Text>
      <LossChart losses={t.losses} />
    </Box>
  );
}
