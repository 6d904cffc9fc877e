// A global install (npm install -g) runs no install script of Inkling's and pulls in none that npm's allowScripts
// check would list, but core-js's banner and the optional tfjs-node's download (README, Install as a command). The real install is checked by
// readme.test.ts (under CI); this reads the package files, so it always runs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/engine/store/paths.js';

type Lock = { packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }> };

describe('what a global install runs', () => {
  it('Inkling has no install-time script, and no binding.gyp that npm would build by itself', () => {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    // prepare counts too: npm lists it for packages installed from a tarball or git.
    const installTime = Object.keys(pkg.scripts ?? {}).filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name));
    expect(installTime).toEqual([]);
    expect(existsSync(path.join(packageRoot(), 'binding.gyp'))).toBe(false);
  });

  it('the installed dependencies have no install script but core-js (a banner) and the optional tfjs-node (libtensorflow)', () => {
    const lock = JSON.parse(readFileSync(path.join(packageRoot(), 'package-lock.json'), 'utf8')) as Lock;
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript && !entry.dev)
      .map(([where]) => where.replace(/^.*node_modules\//, ''));
    expect(withScripts.sort()).toEqual(['@tensorflow/tfjs-node', 'core-js']);
  });
});
