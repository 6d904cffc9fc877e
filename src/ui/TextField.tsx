// Shows the input line with its cursor (an inverse cell), or a placeholder when empty.
import { Text } from 'ink';
import type { LineState } from './line-editing.js';

export function TextField({ line, placeholder }: { line: LineState; placeholder: string }) {
  const { value, cursor } = line;
  if (value === '') {
    return (
      <Text>
        <Text inverse>{placeholder.slice(0, 1) || ' '}</Text>
        <Text color="gray">{placeholder.slice(1)}</Text>
      </Text>
    );
  }
  const at = value[cursor];
  // At the end, or on a line break, the cursor is a blank cell (the break itself still shows).
  const under = at === undefined || at === '\n' ? ' ' : at;
  const after = at === undefined ? '' : at === '\n' ? value.slice(cursor) : value.slice(cursor + 1);
  return (
    <Text>
      {value.slice(0, cursor)}
      <Text inverse>{under}</Text>
      {after}
    </Text>
  );
}
