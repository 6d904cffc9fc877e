import { describe, expect, it } from 'vitest';
import { formatDuration, formatParams, sideBySide, table, wrap } from './format.js';

describe('format', () => {
  it('formats sizes and durations', () => {
    expect(formatParams(812_000)).toBe('812.0k');
    expect(formatParams(1_234_567)).toBe('1.23M');
    expect(formatDuration(130)).toBe('2m10s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(null)).toBe('?');
  });

  it('aligns tables', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toEqual(['a    bb', 'xxx  y']);
  });

  it('wraps and sets two texts side by side', () => {
    expect(wrap('abcdef\n\ngh', 4)).toEqual(['abcd', 'ef', '', 'gh']);
    expect(sideBySide('left text', 'right', 25)).toEqual(['left text   │ right']);
    expect(sideBySide('a', 'one two three four', 25)).toEqual(['a           │ one two thr', '            │ ee four']);
  });
});
