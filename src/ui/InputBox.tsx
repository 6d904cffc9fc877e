// The prompt line: Enter sends, Up/Down walk the input history, Tab completes, pastes stay one input.
import { Box, Text, useInput } from 'ink';
import { useReducer, useRef, useState } from 'react';
import { applyKey, EMPTY_LINE, lineAt, type LineState } from './line-editing.js';
import { TextField } from './TextField.js';
import type { ChatController } from './types.js';
import { useInterruptKeys } from './useInterruptKeys.js';

/** The line after Tab, given the completions for its last word; and candidates to show when ambiguous. */
export function applyCompletion(line: string, candidates: readonly string[]): { line: string; shown: string[] } {
  if (candidates.length === 0) return { line, shown: [] };
  const start = line.length - (/\S*$/.exec(line)?.[0].length ?? 0);
  if (candidates.length === 1) return { line: line.slice(0, start) + candidates[0] + ' ', shown: [] };
  let prefix = candidates[0]!;
  for (const c of candidates) while (!c.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const word = line.slice(start);
  return { line: prefix.length > word.length ? line.slice(0, start) + prefix : line, shown: [...candidates] };
}

export function InputBox({ controller }: { controller: ChatController }) {
  // The line lives in a ref, changed synchronously by each key; a render just shows it.
  const line = useRef<LineState>(EMPTY_LINE);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [notice, setNotice] = useState<string | null>(null);

  const setLine = (next: LineState) => {
    if (next === line.current) return;
    line.current = next;
    rerender();
  };
  const complete = async () => {
    const before = line.current.value;
    const { line: completed, shown } = applyCompletion(before, await controller.complete(before));
    if (line.current.value !== before) return; // typed on meanwhile
    setLine(lineAt(completed));
    setNotice(shown.length > 0 ? shown.join('  ') : null);
  };

  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c')) return; // useInterruptKeys
    if (key.upArrow) {
      const older = controller.history.up(line.current.value);
      if (older !== undefined) setLine(lineAt(older));
    } else if (key.downArrow) {
      const newer = controller.history.down();
      if (newer !== undefined) setLine(lineAt(newer));
    } else if (key.tab) {
      void complete();
    } else {
      const { state, submit } = applyKey(line.current, input, key);
      setLine(state);
      setNotice(null);
      if (submit !== undefined) void controller.submit(submit);
    }
  });
  useInterruptKeys({
    controller,
    isInputEmpty: () => line.current.value === '',
    clearInput: () => setLine(EMPTY_LINE),
    notify: setNotice,
  });

  return (
    <Box flexDirection="column" marginTop={1}>
      <Box borderStyle="round" borderColor="cyan" paddingX={1}>
        <Text color="cyan">{'› '}</Text>
        <TextField line={line.current} placeholder="Type a prompt, or /help" />
      </Box>
      {notice && <Text dimColor>{notice}</Text>}
    </Box>
  );
}
