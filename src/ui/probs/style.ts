// How a probability reads on screen: four bands with a colour each, a bracketed marking when there is no
// colour (NO_COLOR, a dumb terminal), and token labels with their invisible characters made visible.

export interface Band {
  /** Lowest probability in the band. */
  from: number;
  colour: string;
  /** Legend text. */
  name: string;
  /** Without colour: the token wrapped in these (the likely bands stay plain, so text still reads). */
  marks: [string, string] | null;
}

/** Most likely first. The probability is the sampler's (after temperature, top-k and top-p). */
export const BANDS: readonly Band[] = [
  { from: 0.5, colour: 'green', name: '≥50%', marks: null },
  { from: 0.2, colour: 'cyan', name: '20–50%', marks: null },
  { from: 0.05, colour: 'yellow', name: '5–20%', marks: ['(', ')'] },
  { from: 0, colour: 'red', name: '<5%', marks: ['[', ']'] },
];

export function bandOf(p: number): Band {
  return BANDS.find((b) => p >= b.from) ?? BANDS[BANDS.length - 1]!;
}

/** Every other token gets this background, so token boundaries show. */
export const ALTERNATE_BACKGROUND = '#3a3a3a';

/** Colour on screen: Node's own check (NO_COLOR, FORCE_COLOR, TERM) on a terminal, NO_COLOR/FORCE_COLOR otherwise. */
export function colourSupported(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (typeof stream.hasColors === 'function' && stream.isTTY) return stream.hasColors();
  return env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
}

/** A token as a label in a list: newlines, tabs and spaces made visible, so ' ' and '\n' do not look blank. */
export function visibleLabel(label: string): string {
  if (label === '') return '∅';
  return label.replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍').replace(/ /g, '␣');
}

export function percent(p: number): string {
  if (p <= 0) return '0%';
  if (p < 0.001) return '<0.1%';
  return p < 0.1 ? `${(p * 100).toFixed(1)}%` : `${Math.round(p * 100)}%`;
}
