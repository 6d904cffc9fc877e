// Wrapping text to the terminal's width by cells (string-width: wide and combining characters count
// as they show), at spaces where it can, for the prompt echo and the input box's hanging indent.
import stringWidth from 'string-width';

/** A row of text as [start, end) offsets into the wrapped string. Line breaks are never inside a row. */
export interface Row {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Rows of at most `width` cells. A row breaks after the last space that fits; a word longer than the
 * row breaks where the row is full. A space at a break stays at the end of its row (so every offset is
 * in some row), even when it takes the row one cell past `width`: the input box leaves a cell for it
 * (and for the cursor), and printed lines drop it.
 */
export function wrapRows(text: string, width: number): Row[] {
  const cols = Math.max(1, Math.floor(width));
  const rows: Row[] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    wrapLine(line, lineStart, cols, rows);
    lineStart += line.length + 1;
  }
  return rows;
}

function wrapLine(line: string, offset: number, cols: number, rows: Row[]): void {
  let start = 0;
  let used = 0;
  // Offset just after the last space in this row, where a break keeps words whole.
  let breakAt = -1;
  let usedAtBreak = 0;
  const cut = (at: number, usedAfter: number) => {
    rows.push({ start: offset + start, end: offset + at });
    start = at;
    used = usedAfter;
    breakAt = -1;
  };
  for (const { segment, index } of segmenter.segment(line)) {
    const w = stringWidth(segment);
    if (segment === ' ') {
      // One space may hang past the edge at a break; a second one starts the next row.
      if (used > cols) cut(index, 0);
      used += w;
      breakAt = index + 1;
      usedAtBreak = used;
      continue;
    }
    if (used + w > cols && index > start) {
      if (breakAt > start) cut(breakAt, used - usedAtBreak);
      else cut(index, 0);
    }
    used += w;
  }
  rows.push({ start: offset + start, end: offset + line.length });
}

/** The text as printed lines of at most `width` cells: each row without its trailing spaces. */
export function wrapLines(text: string, width: number): string[] {
  return wrapRows(text, width).map(({ start, end }) => text.slice(start, end).replace(/ +$/, ''));
}

/**
 * Where a line's continuation rows start: under the description of an indented `  term   description` row (help's
 * command, flag and key lists; 4 cells past the row's indent when that is over half the width), under the text of a
 * `- ` bullet, 2 cells past any other indented line's indent (help's examples); 0 for lines at the edge.
 */
export function hangOf(line: string, width: number): number {
  const indent = /^ */.exec(line)![0].length;
  const term = /^( +\S+(?: \S+)* {2,})\S/.exec(line);
  const bullet = /^( *- )\S/.exec(line);
  const hang = term ? stringWidth(term[1]!) : bullet ? bullet[1]!.length : indent > 0 ? indent + 2 : 0;
  if (hang <= width / 2) return hang;
  return term && indent + 4 <= width / 2 ? indent + 4 : 0;
}

/** wrapLines, with each line's continuation rows indented by its hangOf. */
export function wrapHanging(text: string, width: number): string[] {
  return text.split('\n').flatMap((line) => {
    const hang = hangOf(line, width);
    const [first, ...rest] = wrapRows(line, width);
    if (hang === 0 || rest.length === 0) return wrapLines(line, width);
    const head = line.slice(first!.start, first!.end).replace(/ +$/, '');
    const tail = line.slice(first!.end).replace(/^ +/, '');
    return [head, ...wrapLines(tail, width - hang).map((row) => ' '.repeat(hang) + row)];
  });
}
