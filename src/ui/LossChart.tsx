// A small live loss chart sized to the width it is given: train loss, with validation loss where it
// has been measured, and a legend tying the colours to them.
import asciichart from 'asciichart';
import { Box, Text } from 'ink';
import type { LossPoint } from './types.js';

/** Columns left of the plot: the axis labels ("   4.00") and the axis itself. */
export const AXIS_WIDTH = 9;
const MIN_POINTS = 8;
const TRAIN_COLOR = 'cyan';
const VAL_COLOR = 'yellow';
const LEGEND = '── train  ── val';

/**
 * Average the points into at most `width` buckets. Val is carried forward from its last eval; before
 * the first eval it copies train, so (drawn under train) it stays hidden there.
 */
export function chartSeries(losses: readonly LossPoint[], width: number): { train: number[]; val: number[] } {
  const buckets = Math.min(width, losses.length);
  const train: number[] = [];
  const val: number[] = [];
  let lastVal: number | undefined;
  for (let b = 0; b < buckets; b++) {
    const slice = losses.slice(Math.floor((b * losses.length) / buckets), Math.floor(((b + 1) * losses.length) / buckets));
    const mean = slice.reduce((sum, p) => sum + p.train, 0) / slice.length;
    for (const p of slice) if (p.val !== undefined) lastVal = p.val;
    train.push(mean);
    val.push(lastVal ?? mean);
  }
  return { train, val };
}

/** `width`: the columns the chart may take, axis included. */
export function LossChart({ losses, width, height = 5 }: { losses: readonly LossPoint[]; width: number; height?: number }) {
  if (losses.length < 2) return <Text dimColor>loss chart: waiting for points…</Text>;
  const { train, val } = chartSeries(losses, Math.max(MIN_POINTS, width - AXIS_WIDTH));
  const chart = asciichart.plot([val, train], {
    height,
    colors: [asciichart.yellow, asciichart.cyan],
    format: (x: number) => x.toFixed(2).padStart(7),
  });
  const measured = losses.some((p) => p.val !== undefined);
  const note = measured ? ' (held-out text)' : ' (from the first evaluation)';
  const fitsNote = AXIS_WIDTH - 1 + LEGEND.length + note.length <= width;
  return (
    <Box flexDirection="column">
      <Text>{chart}</Text>
      <Text wrap="truncate-end">
        {' '.repeat(AXIS_WIDTH - 1)}
        <Text color={TRAIN_COLOR}>── train</Text>
        {'  '}
        <Text color={VAL_COLOR}>── val</Text>
        {fitsNote && <Text dimColor>{note}</Text>}
      </Text>
    </Box>
  );
}
