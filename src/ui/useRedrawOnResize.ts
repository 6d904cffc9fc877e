// After a resize the terminal has re-flowed what Ink drew at the old width: box pieces are left behind
// and Ink's idea of where its live area starts is off (it could erase the turn above). Once the size
// settles, wipe the screen and let the transcript write itself again at the new width.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export const CLEAR_SCREEN = '\u001B[2J\u001B[3J\u001B[H';
/** Resizes come in bursts while a window is dragged: redraw once they stop. */
export const REDRAW_QUIET_MS = 150;

/** A count that goes up on each redraw: key the transcript's <Static> on it. */
export function useRedrawOnResize(): number {
  const { stdout } = useStdout();
  const [redraws, setRedraws] = useState(0);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const onResize = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stdout.write(CLEAR_SCREEN);
        setRedraws((n) => n + 1);
      }, REDRAW_QUIET_MS);
    };
    stdout.on('resize', onResize);
    return () => {
      clearTimeout(timer);
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return redraws;
}
