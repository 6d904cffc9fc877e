// Which keys the open probability panel takes from the input box.
import type { KeyEvent } from '../keys.js';
import type { PanelKey, PanelView } from './panel.js';

export interface PanelKeyTarget {
  key(key: PanelKey): boolean;
  close(): void;
}

const NAMED: Partial<Record<string, PanelKey>> = {
  up: 'up',
  down: 'down',
  left: 'left',
  right: 'right',
  return: 'accept',
  backspace: 'undo',
  escape: 'end',
};

/** True when the panel took the key. While stepping, other typing is held off so it cannot edit the prompt box unseen. */
export function routePanelKey(panels: PanelKeyTarget, panel: PanelView | null | undefined, key: KeyEvent, busyElsewhere: boolean): boolean {
  if (!panel) return false;
  if (panel.kind === 'next') {
    // Esc closes the panel when it has nothing else to stop.
    if (key.type === 'key' && key.name === 'escape' && !busyElsewhere) {
      panels.close();
      return true;
    }
    return false;
  }
  if (key.type === 'text' && /^ +$/.test(key.text)) {
    // Spaces typed quickly can arrive as one piece: each is a draw.
    let taken = false;
    for (let i = 0; i < key.text.length; i++) taken = panels.key('sample') || taken;
    if (taken) return true;
  }
  const mapped = key.type === 'key' && !key.ctrl && !key.meta ? NAMED[key.name] : undefined;
  if (mapped && panels.key(mapped)) return true;
  return panel.kind === 'step' && (key.type === 'text' || key.type === 'paste');
}
