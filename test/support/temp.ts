// Temporary folders that do not outlive their test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Call at the top of a test file (or describe): returns a maker of fresh temporary folders, all removed after
 * the file's (or describe's) tests have run.
 */
export function useTempDir(defaultPrefix = 'inkling-test-'): (prefix?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    // Retries: a child (Chromium) may still be writing into its folder for a moment after it was told to exit.
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });
  return (prefix = defaultPrefix) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
