// bench: runs the benchmark script (bench/bench.ts, in a checkout) with its own flags.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CommandError, type Command } from './types.js';
import { packageRoot } from '../engine/store/paths.js';

export function benchScript(): string {
  return path.join(packageRoot(), 'bench', 'bench.ts');
}

export const benchCommand: Command<string[]> = {
  name: 'bench',
  summary: 'measure training and sampling speed on fixed workloads (prints JSON)',
  usage: 'bench [bench flags...]',
  help: [
    'usage: bench [bench flags...]',
    '',
    'measure training and sampling speed on this machine',
    '(command line only: inkling bench ...; the flags go to bench/bench.ts, which lives in a checkout)',
    '',
    'examples:',
    '  inkling bench',
    '  npm run bench -- --help',
  ].join('\n'),
  scopes: ['cli'],
  // The benchmark parses its own flags.
  parse: (argv) => [...argv],
  async run(argv, ctx) {
    const script = benchScript();
    if (!existsSync(script)) throw new CommandError(`the benchmark is not part of this install (no ${script}): run it from a checkout with npm run bench`);
    // A child process: the benchmark owns its process (backends, timers, exit code).
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...argv], {
      cwd: packageRoot(),
      stdio: 'inherit',
      env: { ...process.env, ...(ctx.backend ? { INKLING_BACKEND: ctx.backend } : {}), INKLING_MODELS_DIR: ctx.modelsDir },
    });
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1)));
    });
    if (code !== 0) throw new CommandError(`the benchmark failed (exit code ${code})`);
  },
};
