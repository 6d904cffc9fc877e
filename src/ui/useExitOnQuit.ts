// Leave Ink once the chat has asked to quit (the last frame, without the live area, is already drawn).
import { useApp } from 'ink';
import { useEffect } from 'react';

export function useExitOnQuit(quitting: boolean): void {
  const { exit } = useApp();
  useEffect(() => {
    if (quitting) exit();
  }, [quitting, exit]);
}
