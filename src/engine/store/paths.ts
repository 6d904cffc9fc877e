// Where Inkling's files live: the package itself (shipped data and models) and the user's folders.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';

let cachedRoot: string | null = null;

/**
 * The folder holding Inkling's package.json: found by walking up from this module, so it works
 * from `src/` under tsx, from a compiled `dist/`, and from an installed package.
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find Inkling package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Shipped corpora. */
export function dataDir(): string {
  return path.join(packageRoot(), 'data');
}

/** The shipped model the chat falls back on when the last used one is gone. */
export const BASE_MODEL = 'gutenberg-gpt';

/** Models shipped inside the package. */
export function shippedModelsDir(): string {
  return path.join(packageRoot(), 'models');
}

/**
 * Where a model name is looked up: the user's models folder first (so a run of theirs shadows a shipped
 * model of the same name), then the shipped ones; resolved and de-duplicated.
 */
export function modelSearchDirs(modelsDir: string): string[] {
  return [...new Set([path.resolve(modelsDir), path.resolve(shippedModelsDir())])];
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A git checkout (or a source tree) rather than an installed package. */
export function isCheckout(root = packageRoot()): boolean {
  return existsSync(path.join(root, '.git')) || isDirectory(path.join(root, 'src'));
}

function userPaths() {
  return envPaths('inkling', { suffix: '' });
}

/** `<checkout>/models` in a checkout; a per-user data folder when installed as a package. */
export function defaultModelsDir(root = packageRoot()): string {
  return isCheckout(root) ? path.join(root, 'models') : path.join(userPaths().data, 'models');
}

function nonEmpty(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new Error(`${what} is empty: give a folder`);
  if (value.includes('\0')) throw new Error(`${what} contains a NUL character`);
  return path.resolve(value);
}

/** `--models-dir`, then `INKLING_MODELS_DIR`, then the default; always absolute. One that exists must be a folder. */
export function resolveModelsDir(flag?: string): string {
  const fromFlag = nonEmpty(flag, '--models-dir');
  const fromEnv = fromFlag ? undefined : nonEmpty(process.env.INKLING_MODELS_DIR || undefined, 'INKLING_MODELS_DIR');
  const dir = fromFlag ?? fromEnv ?? defaultModelsDir();
  if (existsSync(dir) && !isDirectory(dir)) {
    throw new Error(`${fromFlag ? '--models-dir' : fromEnv ? 'INKLING_MODELS_DIR' : 'the models folder'} ${dir} is not a folder: give a folder (it is created when missing)`);
  }
  return dir;
}

/** Model names the package ships (gutenberg-gpt, ...): reserved, so a model of yours never hides one. */
export function shippedModelNames(): string[] {
  try {
    return readdirSync(shippedModelsDir(), { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch {
    return [];
  }
}

/** The per-user cache folder's `native/`: the BLAS addon built on first use for an installed package (kernels/native-build.ts). */
export function nativeCacheDir(): string {
  return path.join(userPaths().cache, 'native');
}

/** `INKLING_CONFIG_DIR`, else the per-user config folder (config and history live here). */
export function configDir(): string {
  return nonEmpty(process.env.INKLING_CONFIG_DIR || undefined, 'INKLING_CONFIG_DIR') ?? userPaths().config;
}
