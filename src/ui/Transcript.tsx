// Finished turns, written once above the live area (Ink's <Static>); /clear starts a new one.
import { Static } from 'ink';
import { TurnView } from './TurnView.js';
import type { Turn } from './types.js';

export function Transcript({ turns, epoch }: { turns: readonly Turn[]; epoch: number }) {
  return (
    <Static key={epoch} items={turns as Turn[]}>
      {(turn) => <TurnView key={turn.id} turn={turn} />}
    </Static>
  );
}
