#!/usr/bin/env node
// Builds the optional native BLAS addon: `node native/build.mjs` (npm run build:native) into
// native/build/Release/inkling_blas.node; `node native/build.mjs DIR` copies the sources to DIR and builds there
// (Inkling does that once, into the per-user cache folder, when no addon is found: src/engine/kernels/native-build.ts).
// It is not an npm install script, so an install never runs a compiler. Whatever goes wrong, it prints one
// line and exits 0, and Inkling runs on its pure-JS kernels.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sources = dirname(fileURLToPath(import.meta.url));
const here = process.argv[2] ? resolve(process.argv[2]) : sources;
const built = join(here, 'build', 'Release', 'inkling_blas.node');
const say = (line) => console.log(`inkling native: ${line}`);

function findNodeGyp() {
  const candidates = [
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function hasCompiler() {
  return ['cc', 'gcc', 'clang'].some((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);
}

function main() {
  if (process.env.INKLING_NATIVE === '0') return say('skipped (INKLING_NATIVE=0)');
  if (process.platform === 'win32') return say('skipped (no native BLAS support on Windows yet)');
  if (!hasCompiler()) return say('not built: no C compiler found (Debian/Ubuntu: apt-get install build-essential)');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return say("not built: npm's bundled node-gyp not found");
  if (here !== sources) {
    mkdirSync(here, { recursive: true });
    for (const file of ['binding.gyp', 'inkling_blas.c']) copyFileSync(join(sources, file), join(here, file));
  }
  // Use the installed Node's own headers when present, so no header download is needed.
  const prefix = join(dirname(process.execPath), '..');
  const args = [nodeGyp, 'rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim());
    const why = lines.find((l) => /error/i.test(l) && !/^gyp (ERR|info)/.test(l)) ?? lines.find((l) => l) ?? 'unknown error';
    return say(`not built: ${why.slice(0, 160)}`);
  }
  say(`built ${built} (it needs a BLAS at run time: libopenblas0 on Debian/Ubuntu)`);
}

try {
  main();
} catch (err) {
  say(`not built: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(0);
