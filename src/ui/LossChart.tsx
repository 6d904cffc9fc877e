// A small live loss chart: train loss, with validation loss where it has been measured.
import asciichart from 'asciichart';
import { Text } from 'ink';
import type { LossPoint } from './types.js';

export const CHART_WIDTH = 60;

/**
 * Average the points into at most `width` buckets. Val is carried forward from its last eval; before
 * the first eval it copies train, so (drawn under train) it stays hidden there.
 */
export function chartSeries(losses: readonly LossPoint[], width = CHART_WIDTH): { train: number[]; val: number[] } {
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

export function LossChart({ losses, height = 5 }: { losses: readonly LossPoint[]; height?: number }) {
  if (losses.length < 2) return <Text dimColor>loss chart: waiting for points…</Text>;
  const { train, val } = chartSeries(losses);
  const chart = asciichart.plot([val, train], {
    height,
    colors: [asciichart.yellow, asciichart.cyan],
    format: (x: number) => x.toFixed(2).padStart(7),
  });
  return <Text>{chart}</Text>;
}
