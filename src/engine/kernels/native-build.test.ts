// The native addon is found, or built once on first use into the cache (never at install), or its absence is
// explained in one line; a failed build is not retried on every start.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../store/paths.js';
import { locateAddon, onNativeBuild } from './native-build.js';
import { probeNativeBlas } from './native-blas.js';

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A native/ folder whose build.mjs is a stand-in: it counts its runs and builds (a fake file) or fails. */
function fakeNativeDir(outcome: 'builds' | 'fails'): { nativeDir: string; cacheDir: string; runs: () => number } {
  const root = mkdtempSync(path.join(tmpdir(), 'inkling-native-'));
  temps.push(root);
  const nativeDir = path.join(root, 'native');
  mkdirSync(nativeDir);
  writeFileSync(path.join(nativeDir, 'binding.gyp'), '{}');
  writeFileSync(path.join(nativeDir, 'inkling_blas.c'), '/* fake */');
  const counter = path.join(root, 'runs');
  writeFileSync(
    path.join(nativeDir, 'build.mjs'),
    `import fs from 'node:fs'; import path from 'node:path';
     fs.appendFileSync(${JSON.stringify(counter)}, 'x');
     const dir = process.argv[2];
     ${
       outcome === 'builds'
         ? `fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true }); fs.writeFileSync(path.join(dir, 'build', 'Release', 'inkling_blas.node'), ''); console.log('inkling native: built');`
         : `console.log('inkling native: not built: no C compiler found (Debian/Ubuntu: apt-get install build-essential)');`
     }`,
  );
  return { nativeDir, cacheDir: path.join(root, 'cache'), runs: () => (existsSync(counter) ? readFileSync(counter, 'utf8').length : 0) };
}

describe('finding the native addon', () => {
  it("uses the package's own build when there is one, without building", () => {
    const { nativeDir, cacheDir, runs } = fakeNativeDir('builds');
    const own = path.join(nativeDir, 'build', 'Release', 'inkling_blas.node');
    mkdirSync(path.dirname(own), { recursive: true });
    writeFileSync(own, '');
    expect(locateAddon({ nativeDir, cacheDir })).toEqual({ path: own });
    expect(runs()).toBe(0);
  });

  it('builds once into a cache folder named for the platform, Node ABI and source, then reuses it', () => {
    const { nativeDir, cacheDir, runs } = fakeNativeDir('builds');
    const told: string[] = [];
    onNativeBuild((line) => told.push(line));
    const first = locateAddon({ nativeDir, cacheDir });
    onNativeBuild(null);
    expect(told).toEqual([expect.stringMatching(/^building the native BLAS addon once, into \S+ \(a few seconds\)$/)]);
    expect('path' in first && first.path).toMatch(
      new RegExp(`^${cacheDir}/${process.platform}-${process.arch}-abi${process.versions.modules}-[0-9a-f]{12}/build/Release/inkling_blas.node$`),
    );
    expect(locateAddon({ nativeDir, cacheDir })).toEqual(first);
    expect(runs()).toBe(1);
    expect(readdirSync(cacheDir)).toHaveLength(1); // no temporary folder left behind

    writeFileSync(path.join(nativeDir, 'inkling_blas.c'), '/* changed */');
    const after = locateAddon({ nativeDir, cacheDir });
    expect('path' in after && after.path).not.toBe('path' in first && first.path);
    expect(runs()).toBe(2);
  });

  it('says in one line why a build failed and how to retry, without building again on the next start', () => {
    const { nativeDir, cacheDir, runs } = fakeNativeDir('fails');
    const first = locateAddon({ nativeDir, cacheDir });
    expect('note' in first && first.note).toMatch(
      /^native matmul off: addon not built \(no C compiler found \(Debian\/Ubuntu: apt-get install build-essential\)\); remove \/\S+ to try again$/,
    );
    expect(locateAddon({ nativeDir, cacheDir })).toEqual(first);
    expect(runs()).toBe(1);
  });

  it('says so in one line when the cache folder cannot be written', () => {
    const { nativeDir, cacheDir } = fakeNativeDir('builds');
    writeFileSync(cacheDir, 'a file, not a folder');
    const found = locateAddon({ nativeDir, cacheDir: path.join(cacheDir, 'native') });
    expect('note' in found && found.note).toMatch(/^native matmul off: addon not built \(cannot write \S+\); remove \S+ to try again$/);
  });
});

const hasCompiler = ['cc', 'gcc', 'clang'].some((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);

describe('building the real addon on first use', () => {
  // Needs a C compiler, and a system BLAS for the final check (CI installs both).
  it.skipIf(!hasCompiler || process.platform === 'win32')(
    'compiles the shipped sources into the cache and loads them',
    () => {
      const root = mkdtempSync(path.join(tmpdir(), 'inkling-native-real-'));
      temps.push(root);
      const nativeDir = path.join(root, 'native');
      mkdirSync(nativeDir);
      for (const file of ['binding.gyp', 'build.mjs', 'inkling_blas.c']) copyFileSync(path.join(packageRoot(), 'native', file), path.join(nativeDir, file));
      const found = locateAddon({ nativeDir, cacheDir: path.join(root, 'cache') });
      expect(found).toEqual({ path: expect.stringMatching(/build\/Release\/inkling_blas\.node$/) });
      const status = probeNativeBlas({}, { nativeDir, cacheDir: path.join(root, 'cache') });
      expect(status.note === '' || status.note.startsWith('native matmul off: no BLAS library found')).toBe(true);
    },
    300_000,
  );
});
