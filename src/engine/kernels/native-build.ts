/**
 * Finds the native BLAS addon, building it once when there is none. It is not built at install: npm 11 flags
 * every install script of a global install as "not yet covered by allowScripts" (a package's own allowScripts
 * only counts in a checkout), and npm 12 skips them. So the package's own build (`npm run build:native` in a
 * checkout) is used when present; otherwise the first run builds it into the per-user cache folder, in a folder
 * named for this platform, Node ABI and source, so an upgrade of Inkling or Node builds afresh. A build that
 * failed leaves its one-line reason there, so later runs say why without trying again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstLine } from '../first-line.js';
import { nativeCacheDir, packageRoot } from '../store/paths.js';

const ADDON = path.join('build', 'Release', 'inkling_blas.node');
const FAILED = 'not-built.txt';

export type AddonLocation = { path: string } | { note: string };

let announce: ((line: string) => void) | null = null;

/** Who is told when a first start begins building the addon, which takes seconds (the CLI prints it; a worker stays quiet). */
export function onNativeBuild(listener: ((line: string) => void) | null): void {
  announce = listener;
}

export interface AddonPlaces {
  /** The package's native/ folder: sources, build.mjs, and a checkout's own build. */
  nativeDir: string;
  /** Where first-use builds go, one subfolder per platform, ABI and source. */
  cacheDir: string;
}

export function defaultAddonPlaces(): AddonPlaces {
  return { nativeDir: path.join(packageRoot(), 'native'), cacheDir: nativeCacheDir() };
}

/** e.g. "linux-x64-abi115-3f2a9c1e0b7d": the addon depends on all four. */
function buildKey(nativeDir: string): string {
  const hash = createHash('sha256');
  for (const file of ['binding.gyp', 'inkling_blas.c']) hash.update(readFileSync(path.join(nativeDir, file)));
  return `${process.platform}-${process.arch}-abi${process.versions.modules}-${hash.digest('hex').slice(0, 12)}`;
}

/** The addon's path, building it into the cache on first use; or why there is none, in one line. */
export function locateAddon(places: AddonPlaces = defaultAddonPlaces()): AddonLocation {
  const own = path.join(places.nativeDir, ADDON);
  if (existsSync(own)) return { path: own };
  let dir: string;
  try {
    dir = path.join(places.cacheDir, buildKey(places.nativeDir));
  } catch (err) {
    return { note: `native matmul off: addon sources missing (${firstLine(err, '', 120)})` };
  }
  if (!existsSync(path.join(dir, ADDON)) && !existsSync(path.join(dir, FAILED))) buildOnce(places.nativeDir, dir);
  if (existsSync(path.join(dir, ADDON))) return { path: path.join(dir, ADDON) };
  const why = existsSync(path.join(dir, FAILED)) ? readFileSync(path.join(dir, FAILED), 'utf8').trim() : `cannot write ${places.cacheDir}`;
  return { note: `native matmul off: addon not built (${why}); remove ${dir} to try again` };
}

/**
 * Builds into a private folder, then renames it into place, so two processes starting at once (the chat and a
 * training worker) never load a half-written addon; the second rename fails and its copy is dropped.
 */
function buildOnce(nativeDir: string, dir: string): void {
  const temp = `${dir}.${process.pid}.tmp`;
  try {
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    announce?.(`building the native BLAS addon once, into ${dir} (a few seconds)`);
    const run = spawnSync(process.execPath, [path.join(nativeDir, 'build.mjs'), temp], { encoding: 'utf8', timeout: 330_000 });
    if (!existsSync(path.join(temp, ADDON))) {
      const said = (run.stdout ?? '').split('\n').find((l) => l.startsWith('inkling native: '));
      const why = said?.slice('inkling native: '.length).replace(/^not built: /, '') ?? firstLine(run.error ?? run.stderr, 'the build printed nothing', 160);
      writeFileSync(path.join(temp, FAILED), `${why}\n`);
    }
    renameSync(temp, dir);
  } catch {
    // Another process put its build in place first (theirs serves), or the cache folder is not writable.
  }
  try {
    rmSync(temp, { recursive: true, force: true });
  } catch {
    // Nothing was made there.
  }
}
