// A checkout's models/ folder: models trained there stay out of `git status`; the shipped ones stay tracked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Paths git would ignore, out of `paths` (check-ignore exits 1 when none is). */
function ignored(paths: string[]): string[] {
  try {
    return execFileSync('git', ['check-ignore', '--no-index', ...paths], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch (err) {
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
}

const shipped = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] }).files.filter((f) => f.startsWith('models/'));

describe('models/ in a checkout', () => {
  it('ignores models the user trains there, and their in-progress save folders', () => {
    const user = ['models/my-run/manifest.json', 'models/s1-poems/weights.bin', 'models/.my-run.save-123/weights.bin'];
    expect(ignored(user)).toEqual(user);
  });

  it('keeps every shipped model tracked', () => {
    expect(shipped.length).toBeGreaterThan(0);
    expect(ignored(shipped.flatMap((dir) => [`${dir}/manifest.json`, `${dir}/weights.bin`]))).toEqual([]);
  });
});
