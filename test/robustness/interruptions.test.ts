// Interruptions: training saves at each evaluation and at least once a minute; a save killed
// at any point leaves either no model yet or one that loads, and the next start puts things right.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModel } from '../../src/engine/store/checkpoint.js';
import { listModels, tidyModelsDir } from '../../src/engine/store/registry.js';
import { recoverInterruptedSaves } from '../../src/engine/store/recovery.js';
import { runArgv } from '../../src/commands/dispatch.js';
import type { TrainEvent } from '../../src/engine/types.js';
import { cliContext } from '../support/commands.js';
import { makeTinyModel, useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const root = path.resolve(import.meta.dirname, '../..');

/** The pid of a process that has exited: what a killed save's folder names. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function expectLoads(dir: string): Promise<void> {
  const loaded = await loadModel(dir);
  expect(loaded.manifest.step).toBeGreaterThan(0);
  loaded.dispose();
}

const leftovers = (dir: string) => readdirSync(dir).filter((e) => e.startsWith('.'));

describe('checkpoint cadence', () => {
  it('saves at each evaluation', async () => {
    const events: TrainEvent[] = [];
    await makeTinyModel(tempDir(), 'e', { steps: 6, evalInterval: 2, onEvent: (e) => events.push(e) });
    const kinds = events.filter((e) => e.type === 'eval' || e.type === 'checkpoint').map((e) => `${e.type}@${(e as { step: number }).step}`);
    expect(kinds).toEqual(['eval@2', 'checkpoint@2', 'eval@4', 'checkpoint@4', 'eval@6', 'checkpoint@6']);
  });

  it('saves at least once a minute even when evaluations are rare', async () => {
    await useTestBackend();
    // Each reading of the clock is 25 s later: a minute passes every few steps.
    let fake = performance.now();
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (fake += 25_000));
    const steps: number[] = [];
    try {
      await makeTinyModel(tempDir(), 'slow', { steps: 6, evalInterval: 1000, onEvent: (e) => e.type === 'checkpoint' && steps.push(e.step) });
    } finally {
      clock.mockRestore();
    }
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.filter((s) => s < 6).length).toBeGreaterThanOrEqual(2);
  });
});

describe('every state a killed save can leave is put right at the next start', () => {
  let modelsDir: string;
  let pid: number;
  beforeAll(async () => {
    modelsDir = tempDir('inkling-killed-');
    await makeTinyModel(modelsDir, 'k', { steps: 2, evalInterval: 2 });
    pid = deadPid();
  });
  const model = () => path.join(modelsDir, 'k');
  const aside = (kind: 'tmp' | 'old', owner = pid) => path.join(modelsDir, `.k.${kind}-${owner}-${Date.now()}`);

  it('killed after moving the model aside, before moving the new one in: the previous checkpoint comes back', async () => {
    const old = aside('old');
    const tmp = aside('tmp');
    cpSync(model(), tmp, { recursive: true });
    cpSync(model(), old, { recursive: true });
    rmSync(model(), { recursive: true });
    expect((await listModels([modelsDir])).map((e) => e.name)).toEqual([]);
    const lines = await tidyModelsDir(modelsDir);
    expect(lines[0]).toMatch(/^recovered model k: .*previous checkpoint/);
    expect(lines[1]).toMatch(/^removed 1 unfinished save folder/);
    await expectLoads(model());
    expect(leftovers(modelsDir)).toEqual([]);
  });

  it('killed while writing the temp folder, or while deleting the old one: leftovers go, the model stays', async () => {
    const tmp = aside('tmp');
    mkdirSync(tmp);
    writeFileSync(path.join(tmp, 'model.json'), '{"format":"inkling-mo');
    const old = aside('old');
    mkdirSync(old);
    writeFileSync(path.join(old, 'weights.bin'), Buffer.alloc(10));
    const entries = await listModels([modelsDir]);
    expect(entries.map((e) => [e.name, e.ok])).toEqual([['k', true]]);
    await tidyModelsDir(modelsDir);
    expect(leftovers(modelsDir)).toEqual([]);
    await expectLoads(model());
  });

  it('a save a live process is doing is left alone, and the listing says it skipped it', async () => {
    const live = aside('tmp', process.pid);
    mkdirSync(live);
    const swapping = aside('old', process.pid);
    mkdirSync(swapping);
    const other = tempDir();
    mkdirSync(path.join(other, '.gone.old-' + process.pid + '-' + Date.now()));
    expect(await recoverInterruptedSaves(other)).toEqual([]);
    expect(await tidyModelsDir(modelsDir)).toEqual([]);
    expect(existsSync(live) && existsSync(swapping)).toBe(true);
    const ctx = cliContext(modelsDir);
    expect(await runArgv('models', [], ctx, 'cli')).toBe('ok');
    expect(ctx.out.infos).toEqual([expect.stringMatching(/^note: not listing 2 save folder\(s\) in progress/)]);
    expect(ctx.out.lines[0]).toMatch(/^name/);
    rmSync(live, { recursive: true });
    rmSync(swapping, { recursive: true });
  });
});

/** Run the CLI, SIGKILL it once `killWhen` says so (or when it ends); resolves with its output. */
function trainThenKill(modelsDir: string, args: string[], killWhen: (stdout: string) => number | null): Promise<{ stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--models-dir', modelsDir, ...args], {
      cwd: root,
      env: { ...process.env, INKLING_DEBUG: '', INKLING_BACKEND: 'wasm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let scheduled = false;
    const safety = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const delay = scheduled ? null : killWhen(stdout);
      if (delay === null) return;
      scheduled = true;
      setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(safety);
      resolve({ stdout, stderr, killed: signal === 'SIGKILL' });
    });
  });
}

describe('SIGKILL during real CLI training runs', () => {
  it('never leaves a model that fails to load; the previous checkpoint remains; the next start cleans up', async () => {
    const modelsDir = tempDir('inkling-sigkill-');
    const corpus = writeCorpus(tempDir());
    // A first checkpoint, evaluating (and so saving) every 4 steps: resumed runs save many times a second,
    // so kills land inside saves (the swap of an existing model) as well as between them.
    await makeTinyModel(modelsDir, 'k', { corpus, steps: 4, evalInterval: 4 });
    const model = path.join(modelsDir, 'k');
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let lastStep = 4;
    for (let round = 0; round < 4; round++) {
      const args = ['train', '--corpus', corpus, '--name', 'k', '--resume', '--steps', '100000'];
      // Even rounds: kill just as an evaluation is announced (its checkpoint is being written).
      // Odd rounds: at a random moment in the first seconds of training.
      const atEval = round % 2 === 0;
      const run = await trainThenKill(modelsDir, args, (out) => {
        if (atEval) return /val \d/.test(out) ? Math.floor(rand() * 10) : null;
        return /^step \d/m.test(out) ? Math.floor(rand() * 2500) : null;
      });
      expect(run.killed, run.stderr).toBe(true);

      // Right after the kill: a model folder, if there is one, always loads (each save is one rename).
      if (existsSync(model)) await expectLoads(model);
      // The next start puts a set-aside model back and removes what the dead process left.
      await tidyModelsDir(modelsDir);
      expect(leftovers(modelsDir), `round ${round}`).toEqual([]);
      const entries = await listModels([modelsDir]);
      expect(entries.map((e) => [e.name, e.ok]), JSON.stringify(entries)).toEqual([['k', true]]);
      const loaded = await loadModel(model);
      expect(loaded.manifest.step).toBeGreaterThanOrEqual(lastStep);
      lastStep = loaded.manifest.step;
      loaded.dispose();
    }
    // Progress was kept across kills (each resume started from the last good checkpoint).
    expect(lastStep).toBeGreaterThan(4);
  }, 90_000);
});
