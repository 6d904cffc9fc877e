// A reply coloured token by token by the probability the sampler gave each token, with a legend.
import { Text } from 'ink';
import type { TokenProbs } from '../../engine/types.js';
import { ALTERNATE_BACKGROUND, BANDS, bandOf } from './style.js';

export function ProbsText({ tokens, colour }: { tokens: readonly TokenProbs[]; colour: boolean }) {
  return (
    <Text>
      {tokens.map((t, i) => {
        const band = bandOf(t.chosen.sampled);
        if (!colour) return band.marks ? `${band.marks[0]}${t.text}${band.marks[1]}` : t.text;
        return (
          <Text key={i} color={band.colour} backgroundColor={i % 2 === 1 ? ALTERNATE_BACKGROUND : undefined}>
            {t.text}
          </Text>
        );
      })}
    </Text>
  );
}

export function ProbsLegend({ colour }: { colour: boolean }) {
  if (!colour) {
    return <Text dimColor>{'probability: (token) 5–20%  [token] under 5%  — after temperature, top-k, top-p'}</Text>;
  }
  return (
    <Text dimColor>
      {'probability: '}
      {BANDS.map((b) => (
        <Text key={b.name} color={b.colour}>{`■ ${b.name} `}</Text>
      ))}
      {'— after temperature, top-k, top-p; shading marks token boundaries'}
    </Text>
  );
}
