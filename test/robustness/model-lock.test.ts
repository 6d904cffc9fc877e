// One run per model name: the second run of a name is refused at start in one line naming the process that
// holds it; a lock whose process was killed is taken over at once; a finished run releases it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockModel, readLockOwner } from '../../src/engine/store/lock.js';
import { startTraining } from '../../src/engine/runtime/worker/client.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir('inkling-lock-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Another process holding the lock of `name` (as a training run would); resolves with it once it holds it. */
async function holder(modelsDir: string, name: string): Promise<ChildProcess> {
  const script = path.join(tempDir(), 'hold.mts');
  const lockModule = path.resolve('src/engine/store/lock.ts');
  writeFileSync(script, `import { lockModel } from ${JSON.stringify(lockModule)};\nawait lockModel(${JSON.stringify(modelsDir)}, ${JSON.stringify(name)});\nconsole.log('held');\nsetInterval(() => {}, 1000);\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

describe('the lock of a model name', () => {
  it('refuses a second holder in one line naming the running pid; releases on finish', async () => {
    const modelsDir = tempDir();
    const release = await lockModel(modelsDir, 'same');
    expect(await readLockOwner(modelsDir, 'same')).toMatchObject({ pid: process.pid });
    await expect(lockModel(modelsDir, 'same')).rejects.toThrow(`model same is in use by a training run (process ${process.pid}): wait for it to finish, or choose another --name`);
    const other = await lockModel(modelsDir, 'other');
    await release();
    await other();
    const again = await lockModel(modelsDir, 'same');
    await again();
    expect(existsSync(path.join(modelsDir, '.same.lock'))).toBe(false);
  });

  it('another process holding it: refused naming that pid; once it is killed, taken over at once', async () => {
    const modelsDir = tempDir();
    const child = await holder(modelsDir, 'busy');
    await expect(lockModel(modelsDir, 'busy')).rejects.toThrow(new RegExp(`^model busy is in use by a training run \\(process ${child.pid}\\)`));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const release = await lockModel(modelsDir, 'busy');
    expect(await readLockOwner(modelsDir, 'busy')).toMatchObject({ pid: process.pid });
    await release();
  });

  it('a training run of a locked name is refused at start, before any worker runs', async () => {
    const modelsDir = tempDir();
    const release = await lockModel(modelsDir, 'taken');
    const events: string[] = [];
    const handle = startTraining({ kind: 'train', name: 'taken', modelsDir, corpus: 'shakespeare', arch: 'gpt', tokenizer: 'char', steps: 1 }, (e) => events.push(e.type));
    await expect(handle.done).rejects.toThrow(/^model taken is in use by a training run \(process \d+\)/);
    expect(events).toEqual([]);
    expect(existsSync(path.join(modelsDir, 'taken'))).toBe(false);
    await release();
  });
});
