import { describe, expect, it } from 'vitest';
import { convertValue, helpText, parseWith, suggest, usageLine, type ArgSpec } from './args.js';
import { CommandError } from './types.js';

const spec = {
  options: {
    corpus: { type: 'string', required: true, arg: 'C', description: 'the corpus', values: 'corpus' },
    arch: { type: 'string', choices: ['gpt', 'lstm', 'gru'], description: 'architecture' },
    steps: { type: 'integer', min: 1, arg: 'N', description: 'steps' },
    minutes: { type: 'number', min: 0, minExclusive: true, arg: 'M', description: 'minutes' },
    temperature: { type: 'number', min: 0, max: 5, description: 'temperature' },
    stop: { type: 'string', multiple: true, description: 'stop strings' },
    json: { type: 'boolean', description: 'json' },
  },
  exclusive: [['steps', 'minutes']],
  examples: ['x --corpus shakespeare'],
} as const satisfies ArgSpec;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CommandError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a CommandError');
}

describe('parseWith', () => {
  it('converts typed values', () => {
    const { options } = parseWith('x', spec, ['--corpus', 'c', '--steps', '12', '--temperature', '0.5', '--json', '--stop', 'a', '--stop', 'b']);
    expect(options).toEqual({ corpus: 'c', steps: 12, temperature: 0.5, json: true, stop: ['a', 'b'] });
  });

  it('accepts --flag=value and negative-looking values reach validation', () => {
    expect(parseWith('x', spec, ['--corpus=c', '--temperature=0']).options.temperature).toBe(0);
    expect(errorOf(() => parseWith('x', spec, ['--corpus', 'c', '--temperature', '-1']))).toBe(
      '--temperature must be between 0 and 5, got -1',
    );
    expect(parseWith('x', spec, ['--corpus', '-odd-name']).options.corpus).toBe('-odd-name');
  });

  it.each([
    [['--corpus', 'c', '--steps', 'abc'], '--steps needs a whole number, got "abc"'],
    [['--corpus', 'c', '--steps', '1.5'], '--steps needs a whole number, got "1.5"'],
    [['--corpus', 'c', '--steps', '0'], '--steps must be at least 1, got 0'],
    [['--corpus', 'c', '--steps', '-3'], '--steps must be at least 1, got -3'],
    [['--corpus', 'c', '--steps', '99999999999999999999'], '--steps is out of range, got "99999999999999999999"'],
    [['--corpus', 'c', '--temperature', 'NaN'], '--temperature needs a number, got "NaN"'],
    [['--corpus', 'c', '--temperature', 'Infinity'], '--temperature needs a number, got "Infinity"'],
    [['--corpus', 'c', '--temperature', ''], '--temperature needs a number, got ""'],
    [['--corpus', 'c', '--temperature', '0x10'], '--temperature needs a number, got "0x10"'],
    [['--corpus', 'c', '--minutes', '0'], '--minutes must be above 0, got 0'],
    [['--corpus', 'c', '--arch', 'gtp'], '--arch must be one of gpt, lstm, gru, got "gtp" (did you mean gpt?)'],
    [['--corpus', 'c', '--steps', '5', '--minutes', '1'], 'use --steps or --minutes, not both'],
    [['--corpus', 'c', '--steps', '5', '--steps', '6'], '--steps was given more than once'],
    [['--corpus'], '--corpus needs a value'],
    [['--corpus', 'c', '--json=yes'], '--json takes no value'],
    [['--corpus', 'c', 'extra'], 'unexpected argument "extra" for x'],
  ])('%j -> %s', (argv, message) => {
    expect(errorOf(() => parseWith('x', spec, argv))).toContain(message);
  });

  it('names a missing required flag and an unknown one with a suggestion', () => {
    expect(errorOf(() => parseWith('x', spec, []))).toMatch(/^--corpus is required — usage: x --corpus C/);
    expect(errorOf(() => parseWith('x', spec, ['--corpus', 'c', '--step', '3']))).toMatch(
      /^unknown flag "--step" for x \(did you mean --steps\?\)/,
    );
  });

  it('joins rest positionals and checks required ones', () => {
    const s = { options: {}, positionals: [{ name: 'A', description: 'a', required: true }, { name: 'P', description: 'p', rest: true }] } satisfies ArgSpec;
    expect(parseWith('c', s, ['a', 'hello', 'world']).positionals).toEqual(['a', 'hello world']);
    expect(errorOf(() => parseWith('c', s, []))).toMatch(/^c needs A/);
  });
});

describe('convertValue', () => {
  it('handles top-p (0, 1]', () => {
    const topP = { type: 'number', min: 0, max: 1, minExclusive: true, description: '' } as const;
    expect(convertValue('--top-p', topP, '1')).toBe(1);
    expect(() => convertValue('--top-p', topP, '0')).toThrow('--top-p must be above 0 and at most 1, got 0');
    expect(() => convertValue('--top-p', topP, '1.01')).toThrow('--top-p must be above 0 and at most 1, got 1.01');
  });
});

describe('usage and help', () => {
  it('render from the declarations', () => {
    expect(usageLine('x', spec)).toBe(
      'x --corpus C [--arch gpt|lstm|gru] [--steps N] [--minutes M] [--temperature N] [--stop TEXT...] [--json]',
    );
    const help = helpText('x', 'does x', spec);
    for (const flag of Object.keys(spec.options)) expect(help).toContain(`--${flag}`);
    expect(help).toContain('between 0 and 5');
    expect(help).toContain('not together: --steps, --minutes');
    expect(help).toContain('x --corpus shakespeare');
  });

  it('suggest only close words', () => {
    expect(suggest('tarin', ['train', 'models'])).toBe('train');
    expect(suggest('zzzzzz', ['train', 'models'])).toBeNull();
  });
});
