// The README's command reference is generated from the help texts; this keeps the two in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END, README, START, referenceMarkdown } from '../../scripts/readme-reference.js';

// The generated `--help` shows the per-user folder as Linux names it (~/.local/share/inkling).
describe.skipIf(process.platform !== 'linux')('README command reference', () => {
  it('matches the real --help and /help texts (npx tsx scripts/readme-reference.ts --write updates it)', () => {
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(section.startsWith(START), 'README.md has no reference markers').toBe(true);
    expect(section, 'README reference is stale: run npx tsx scripts/readme-reference.ts --write').toBe(referenceMarkdown());
    // It can fail: the reference holds every command's usage line.
    expect(section).toContain('usage: train [--corpus C]');
  }, 60_000);
});
