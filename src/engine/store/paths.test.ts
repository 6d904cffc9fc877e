import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configDir, dataDir, defaultModelsDir, packageRoot, resolveModelsDir, shippedModelsDir } from './paths.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();

const saved = { models: process.env.INKLING_MODELS_DIR, config: process.env.INKLING_CONFIG_DIR };
const restore = (key: string, value: string | undefined) => {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
};
afterEach(() => {
  restore('INKLING_MODELS_DIR', saved.models);
  restore('INKLING_CONFIG_DIR', saved.config);
});

const tmp = tempDir('inkling-paths-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('paths', () => {
  it('finds the package root with its data and models', () => {
    expect(existsSync(path.join(packageRoot(), 'package.json'))).toBe(true);
    expect(existsSync(path.join(dataDir(), 'tinyshakespeare.txt'))).toBe(true);
    expect(shippedModelsDir()).toBe(path.join(packageRoot(), 'models'));
  });

  it('uses <root>/models in a checkout and a per-user folder when installed', () => {
    expect(defaultModelsDir()).toBe(shippedModelsDir()); // this checkout has src/
    const installed = path.join(tmp, 'installed');
    mkdirSync(installed);
    writeFileSync(path.join(installed, 'package.json'), '{}');
    const user = defaultModelsDir(installed);
    expect(user.startsWith(installed)).toBe(false);
    expect(user).toMatch(/inkling[\\/]models$/);
  });

  it('honours --models-dir, then INKLING_MODELS_DIR, then the default', () => {
    delete process.env.INKLING_MODELS_DIR;
    expect(resolveModelsDir()).toBe(defaultModelsDir());
    process.env.INKLING_MODELS_DIR = path.join(tmp, 'env');
    expect(resolveModelsDir()).toBe(path.join(tmp, 'env'));
    expect(resolveModelsDir('rel/dir')).toBe(path.resolve('rel/dir'));
    expect(() => resolveModelsDir('  ')).toThrow(/--models-dir is empty/);
  });

  it('honours INKLING_CONFIG_DIR', () => {
    process.env.INKLING_CONFIG_DIR = path.join(tmp, 'cfg');
    expect(configDir()).toBe(path.join(tmp, 'cfg'));
    delete process.env.INKLING_CONFIG_DIR;
    expect(configDir()).toMatch(/inkling$/);
  });
});
