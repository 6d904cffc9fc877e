import { Box } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { chartSeries, LossChart } from './LossChart.js';
import { progressBar, TrainingPanel } from './TrainingPanel.js';
import type { LossPoint, TrainingView } from './types.js';

const losses: LossPoint[] = Array.from({ length: 30 }, (_, i) => ({ step: i * 10, train: 4 - i * 0.1, ...(i % 10 === 9 ? { val: 4.1 - i * 0.1 } : {}) }));

const training: TrainingView = {
  name: 'tiny',
  kind: 'train',
  from: null,
  running: true,
  step: 50,
  totalSteps: 200,
  etaSeconds: 130,
  tokensPerSec: 2481.4,
  trainLoss: 2.345,
  valLoss: 2.5,
  losses,
};

describe('TrainingPanel', () => {
  it('shows progress, ETA, speed and losses', () => {
    const frame = render(<TrainingPanel training={training} />).lastFrame()!;
    expect(frame).toContain('training tiny');
    expect(frame).toContain(`${progressBar(50, 200)} 50/200`);
    expect(frame).toContain('ETA 2m10s');
    expect(frame).toContain('2,481 tok/s');
    expect(frame).toContain('train loss 2.35');
    expect(frame).toContain('val loss 2.50');
  });

  it('shows the step alone when the run is timed', () => {
    const frame = render(<TrainingPanel training={{ ...training, totalSteps: null, etaSeconds: null }} />).lastFrame()!;
    expect(frame).toContain('step 50');
    expect(frame).toContain('ETA ?');
  });

  it.each([40, 60, 110])('fits %i columns: no row wraps, both losses stay, a legend names the colours', (columns) => {
    const many = Array.from({ length: 300 }, (_, i) => ({ step: i, train: 4 - i / 100, ...(i % 50 === 49 ? { val: 4.2 - i / 100 } : {}) }));
    const frame = render(
      <Box width={columns}>
        <TrainingPanel training={{ ...training, losses: many }} columns={columns} />
      </Box>,
    ).lastFrame()!;
    const lines = frame.split('\n');
    if (process.env.SHOW) console.log(frame);
    // Border, title, figures, five chart rows and the axis row, legend, border: a wrapped row adds lines.
    expect(lines).toHaveLength(12); // and the margin above
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
    expect(frame).toMatch(/train( loss)? 2\.35/);
    expect(frame).toMatch(/val( loss)? 2\.50/);
    expect(frame).toMatch(/── train {2}── val/);
  });

  it('names a fine-tune and its base model', () => {
    const frame = render(<TrainingPanel training={{ ...training, name: 'sea', kind: 'finetune', from: 'gpl' }} />).lastFrame()!;
    expect(frame).toContain('fine-tuning sea from gpl');
    expect(frame).not.toContain('training sea');
  });

  it('fills the bar in proportion', () => {
    expect(progressBar(0, 10, 10)).toBe('░'.repeat(10));
    expect(progressBar(5, 10, 10)).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(progressBar(12, 10, 10)).toBe('█'.repeat(10));
  });
});

describe('LossChart', () => {
  it('draws a chart with the loss range on its axis', () => {
    const frame = render(<LossChart losses={losses} width={60} />).lastFrame()!;
    expect(frame).toContain('4.00');
    expect(frame).toMatch(/[╭╮╰╯─]/);
    expect(frame.split('\n').length).toBeGreaterThanOrEqual(5);
  });

  it('waits for two points', () => {
    expect(render(<LossChart losses={losses.slice(0, 1)} width={60} />).lastFrame()).toContain('waiting');
  });

  it('averages into at most the chart width and carries val forward', () => {
    const { train, val } = chartSeries(losses, 10);
    expect(train).toHaveLength(10);
    expect(train[0]).toBeCloseTo(3.9); // mean of 4.0, 3.9, 3.8
    expect(val[0]).toBe(train[0]); // before the first eval, val hides under train
    expect(val[3]).toBeCloseTo(3.2); // the eval at i=9 (4.1 - 0.9)
  });
});
