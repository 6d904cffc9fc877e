// The prompt line: Enter sends, Up/Down walk the input history, Tab completes, pastes stay one input.
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useRef, useState } from 'react';
import type { ChatController } from './types.js';
import { useInterruptKeys } from './useInterruptKeys.js';

/** What to do with a changed value that holds CR/LF (a paste, or text and Enter in one chunk). */
export function splitTyped(value: string): { submit: string } | { keep: string } {
  const text = value.replace(/\r\n?/g, '\n');
  return text.endsWith('\n') ? { submit: text.replace(/\n+$/, '') } : { keep: text };
}

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
  const [value, setValue] = useState('');
  // Bumped when the value is replaced from outside typing, so TextInput remounts with its cursor at the end.
  const [revision, setRevision] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const current = useRef(value);
  current.current = value;

  const replace = (text: string) => {
    setValue(text);
    setRevision((r) => r + 1);
  };
  const submit = (text: string) => {
    replace('');
    setNotice(null);
    void controller.submit(text);
  };
  const onChange = (next: string) => {
    setNotice(null);
    if (!/[\r\n]/.test(next)) return setValue(next);
    const typed = splitTyped(next);
    if ('submit' in typed) submit(typed.submit);
    else replace(typed.keep);
  };
  const complete = async () => {
    const line = current.current;
    const { line: completed, shown } = applyCompletion(line, await controller.complete(line));
    if (current.current !== line) return; // typed on meanwhile
    if (completed !== line) replace(completed);
    setNotice(shown.length > 0 ? shown.join('  ') : null);
  };

  useInput((input, key) => {
    if (key.ctrl && input.length === 1 && input !== 'c') {
      // TextInput types Ctrl+letter as the letter: put the line back once its handler has run too.
      // Ctrl-U clears the line, as in a shell.
      const restored = input === 'u' ? '' : current.current;
      setImmediate(() => replace(restored));
    } else if (key.upArrow) {
      const older = controller.history.up(value);
      if (older !== undefined) replace(older);
    } else if (key.downArrow) {
      const newer = controller.history.down();
      if (newer !== undefined) replace(newer);
    } else if (key.tab) {
      void complete();
    }
  });
  useInterruptKeys({ controller, inputEmpty: value === '', clearInput: () => replace(''), notify: setNotice });

  return (
    <Box flexDirection="column" marginTop={1}>
      <Box borderStyle="round" borderColor="cyan" paddingX={1}>
        <Text color="cyan">{'› '}</Text>
        <TextInput key={revision} value={value} onChange={onChange} onSubmit={submit} placeholder="Type a prompt, or /help" />
      </Box>
      {notice && <Text dimColor>{notice}</Text>}
    </Box>
  );
}
