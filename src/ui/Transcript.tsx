// Finished turns, written once above the live area (Ink's <Static>). A new `generation` (a /clear, a
// redraw after a resize) writes them afresh.
import { Static } from 'ink';
import { TurnView } from './TurnView.js';
import type { Turn } from './types.js';

export function Transcript({ turns, generation, width }: { turns: readonly Turn[]; generation: string | number; width: number }) {
  return (
    <Static key={generation} items={turns as Turn[]}>
      {(turn) => <TurnView key={turn.id} turn={turn} width={width} />}
    </Static>
  );
}
