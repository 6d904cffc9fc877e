// The input line with its cursor (an inverse cell), wrapped to the box with a hanging indent under the
// prompt mark; or a placeholder when empty.
import { Box, Text } from 'ink';
import type { LineState } from './line-editing.js';
import { wrapRows, type Row } from './wrap.js';

const MARK = '› ';
const INDENT = '  ';

export function TextField({ line, placeholder, width, maxRows = Infinity }: { line: LineState; placeholder: string; width: number; maxRows?: number }) {
  const { value, cursor } = line;
  if (value === '') {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">{MARK}</Text>
        <Text inverse>{placeholder.slice(0, 1) || ' '}</Text>
        <Text color="gray">{placeholder.slice(1)}</Text>
      </Text>
    );
  }
  // One cell stays free at the end of each row for the cursor (or a space hanging at a break).
  const rows = wrapRows(value, Math.max(1, width - MARK.length - 1));
  const at = cursorRow(rows, cursor);
  // A long input shows the rows around the cursor, so the box never outgrows the terminal.
  const shown = Math.max(1, maxRows);
  const first = Math.min(Math.max(0, at - shown + 1), Math.max(0, rows.length - shown));
  return (
    <Box flexDirection="column">
      {rows.slice(first, first + shown).map((row, j) => {
        const i = first + j;
        return (
          <Text key={i}>
            {i === 0 ? <Text color="cyan">{MARK}</Text> : INDENT}
            {i === at ? withCursor(value.slice(row.start, row.end), cursor - row.start) : value.slice(row.start, row.end)}
          </Text>
        );
      })}
    </Box>
  );
}

/** The row that shows the cursor: at a soft break, the start of the next row. */
export function cursorRow(rows: readonly Row[], cursor: number): number {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const nextStart = rows[i + 1]?.start;
    if (cursor >= row.start && (cursor < row.end || (cursor === row.end && nextStart !== cursor))) return i;
  }
  return rows.length - 1;
}

function withCursor(text: string, at: number) {
  const ch = String.fromCodePoint(text.codePointAt(at) ?? 0x20);
  const under = at >= text.length ? ' ' : ch;
  return (
    <>
      {text.slice(0, at)}
      <Text inverse>{under}</Text>
      {text.slice(at + under.length)}
    </>
  );
}
