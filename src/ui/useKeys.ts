// The chat's own key reader, in place of Ink's useInput (which crashes on some escape sequences and
// hands over a chunk of several keys as one "input"). It reads what Ink's stdin reader emits, splits it
// into keys with KeyParser, and never lets a key handler's error escape to the process.
import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { KeyParser, type KeyEvent } from './keys.js';

/** A paste whose end marker has not come after this long of quiet is taken as ended (a stray marker). */
export const PASTE_QUIET_MS = 1000;

export function useKeys(onKey: (key: KeyEvent) => void, onError: (err: unknown) => void): void {
  const { internal_eventEmitter: emitter, setRawMode, isRawModeSupported } = useStdin();
  const handlers = useRef({ onKey, onError });
  handlers.current = { onKey, onError };

  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);

  useEffect(() => {
    const parser = new KeyParser();
    let quiet: NodeJS.Timeout | undefined;
    let chunks = 0;
    const deliver = (keys: KeyEvent[]) => {
      for (const key of keys) {
        try {
          handlers.current.onKey(key);
        } catch (err) {
          handlers.current.onError(err);
        }
      }
    };
    const onInput = (chunk: unknown) => {
      chunks++;
      clearTimeout(quiet);
      try {
        deliver(parser.push(typeof chunk === 'string' ? chunk : String(chunk)));
      } catch (err) {
        handlers.current.onError(err);
      }
      if (!parser.pasting) return;
      const seen = chunks;
      quiet = setTimeout(() => {
        // Timers run before pending input is read: give the reader one turn before ending the paste.
        setImmediate(() => {
          if (chunks === seen) deliver(parser.endPaste());
        });
      }, PASTE_QUIET_MS);
    };
    emitter.on('input', onInput);
    return () => {
      clearTimeout(quiet);
      emitter.off('input', onInput);
    };
  }, [emitter]);
}
