import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatParams, sideBySide, table, wrap } from './format.js';

describe('format', () => {
  it('formats sizes and durations', () => {
    expect(formatParams(812_000)).toBe('812.0k');
    expect(formatParams(1_234_567)).toBe('1.23M');
    expect(formatDuration(130)).toBe('2m10s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(null)).toBe('?');
    expect(formatBytes(3_304_000)).toBe('3.3 MB');
    expect(formatBytes(113_000)).toBe('113 kB');
  });

  it('aligns tables', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toEqual(['a    bb', 'xxx  y']);
  });

  it('wraps and sets two texts side by side', () => {
    expect(wrap('abcdef\n\ngh', 4)).toEqual(['abcd', 'ef', '', 'gh']);
    expect(sideBySide('left text', 'right', 85)).toEqual([`${'left text'.padEnd(41)} │ right`]);
  });

  it('wraps at word boundaries, never inside a word that fits a row', () => {
    expect(wrap('the permission was granted', 16)).toEqual(['the permission', 'was granted']);
    expect(wrap('abcdefghij kl', 4)).toEqual(['abcd', 'efgh', 'ij', 'kl']);
    const left = 'It is a truth universally acknowledged, that a single man in possession of a good fortune';
    const rows = sideBySide(left, 'short', 90);
    expect(rows.length).toBeGreaterThan(1);
    // Rejoined at the breaks, the column is the text again: every break was a space.
    expect(rows.map((row) => row.split('│')[0]!.trim()).join(' ')).toBe(left);
  });

  it('stacks the two texts below 80 columns', () => {
    expect(sideBySide('left text', 'right', 60)).toEqual(['left text', '─'.repeat(40), 'right']);
    expect(sideBySide('one two three', 'x', 30)).toEqual(['one two three', '─'.repeat(29), 'x']);
  });
});
