// Bad input: every place a model name enters refuses paths and reserved names in one line,
// and the models folder given (--models-dir / ctx.modelsDir) is the one used everywhere.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliContext, chatContext } from '../support/commands.js';
import { runArgv, runCommandLine } from '../../src/commands/dispatch.js';
import { runTraining } from '../../src/engine/training/train.js';
import { Chat } from '../../src/ui/session.js';
import { realEngine } from '../../src/ui/real-engine.js';
import { makeTinyModel, useTestBackend, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

const BAD_NAMES = ['../x', '../../etc/passwd', '/abs', 'a/b', 'a\\b', 'C:x', '.hidden', '-dash', 'con', 'NUL', 'tmp', 'x.tmp-1', 'x.partial', 'sp ace', '🙂', 'a'.repeat(65)];

let modelsDir: string;
let otherDir: string;
let corpus: string;

beforeAll(async () => {
  await useTestBackend();
  modelsDir = tempDir('inkling-names-');
  otherDir = tempDir('inkling-names-other-');
  corpus = writeCorpus(tempDir());
  await makeTinyModel(modelsDir, 'm', { steps: 2, evalInterval: 2, corpus });
  // Targets a traversal would reach if a name were used as a path.
  mkdirSync(path.join(path.dirname(modelsDir), 'x'), { recursive: true });
});

function cli(dir = modelsDir) {
  const ctx = cliContext(dir);
  return { ctx, run: (name: string, argv: string[]) => runArgv(name, argv, ctx, 'cli') };
}

describe('model names are validated wherever they enter', () => {
  it.each(BAD_NAMES)('train --name %j', async (bad) => {
    const { ctx, run } = cli();
    expect(await run('train', ['--corpus', corpus, '--name', bad, '--steps', '1'])).toBe('usage');
    expect(ctx.out.errors).toHaveLength(1);
    expect(ctx.out.errors[0]).toMatch(/model name/);
  });

  it.each(BAD_NAMES)('finetune --name / --from %j', async (bad) => {
    for (const argv of [['--from', 'm', '--name', bad], ['--from', bad, '--name', 'v']]) {
      const { ctx, run } = cli();
      expect(await run('finetune', [...argv, '--data', corpus, '--steps', '1'])).toBe('usage');
      expect(ctx.out.errors, JSON.stringify(argv)).toHaveLength(1);
      expect(ctx.out.errors[0]).toMatch(/model name/);
    }
    expect(existsSync(path.join(modelsDir, 'v'))).toBe(false);
  });

  it.each(BAD_NAMES)('generate / eval --model %j', async (bad) => {
    for (const [command, argv] of [['generate', ['--model', bad, '--prompt', 'a', '--max-tokens', '2']], ['eval', ['--model', bad]]] as const) {
      const { ctx, run } = cli();
      expect(await run(command, [...argv])).not.toBe('ok');
      expect(ctx.out.errors, command).toHaveLength(1);
      expect(ctx.out.errors[0]).toMatch(/model name|not found/);
      expect(ctx.out.written).toBe('');
    }
  });

  it.each(BAD_NAMES)('/compare %j', async (bad) => {
    const ctx = chatContext();
    await runCommandLine(`/compare m ${JSON.stringify(bad)} hi`, ctx);
    expect(ctx.out.errors).toHaveLength(1);
    expect(ctx.chat.calls).toEqual([]);
  });

  it('/use in the real chat session refuses bad names in one line and keeps the model', async () => {
    const session = new Chat({ modelsDir, configDir: tempDir(), deps: realEngine(modelsDir), backendLabel: 'wasm' });
    await session.use('m');
    for (const bad of BAD_NAMES) {
      const ctx = { modelsDir, out: chatContext().out, chat: session };
      await runCommandLine(`/use ${JSON.stringify(bad)}`, ctx);
      expect(ctx.out.errors, bad).toHaveLength(1);
      expect(ctx.out.errors[0]).toMatch(/model name|not found|unknown flag/);
      expect(session.model?.name).toBe('m');
    }
    await session.shutdown();
  });

  it('the engine itself refuses bad names (train and fine-tune requests)', async () => {
    for (const bad of ['../escape', '/abs', 'con']) {
      await expect(
        runTraining({ kind: 'train', name: bad, modelsDir, corpus, arch: 'gpt', tokenizer: 'char', preset: 'tiny', steps: 1 }, () => {}, () => false, 'wasm'),
      ).rejects.toThrow(/^invalid model name/);
      await expect(
        runTraining({ kind: 'finetune', name: 'ok-name', modelsDir, from: bad, data: corpus, steps: 1 }, () => {}, () => false, 'wasm'),
      ).rejects.toThrow(/^invalid model name/);
    }
    expect(existsSync(path.join(path.dirname(modelsDir), 'escape'))).toBe(false);
  });
});

describe('the models folder given is the one used', () => {
  it('models lists the given folder', async () => {
    const here = cli(modelsDir);
    expect(await here.run('models', ['--json'])).toBe('ok');
    expect(JSON.parse(here.ctx.out.lines[0]!).map((e: { name: string }) => e.name)).toContain('m');
    const there = cli(otherDir);
    expect(await there.run('models', ['--json'])).toBe('ok');
    expect(JSON.parse(there.ctx.out.lines[0]!).map((e: { name: string }) => e.name)).not.toContain('m');
  });

  it('generate finds the model only in the given folder', async () => {
    const here = cli(modelsDir);
    expect(await here.run('generate', ['--model', 'm', '--prompt', 'the', '--max-tokens', '3', '--seed', '1'])).toBe('ok');
    expect(here.ctx.out.written.startsWith('the')).toBe(true);
    const there = cli(otherDir);
    expect(await there.run('generate', ['--model', 'm', '--prompt', 'the', '--max-tokens', '3'])).toBe('failed');
    expect(there.ctx.out.errors).toEqual([expect.stringMatching(/^model 'm' not found/)]);
  });

  it('finetune looks its base up in the given folder (command and engine)', async () => {
    const there = cli(otherDir);
    expect(await there.run('finetune', ['--from', 'm', '--name', 'v', '--data', corpus, '--steps', '1'])).toBe('failed');
    expect(there.ctx.out.errors).toEqual([expect.stringMatching(/^model 'm' not found/)]);
    await expect(
      runTraining({ kind: 'finetune', name: 'v', modelsDir: otherDir, from: 'm', data: corpus, steps: 1 }, () => {}, () => false, 'wasm'),
    ).rejects.toThrow(/model 'm' not found/);
    const ok = await runTraining({ kind: 'finetune', name: 'v', modelsDir, from: 'm', data: corpus, steps: 1 }, () => {}, () => false, 'wasm');
    expect(ok.name).toBe('v');
    expect(existsSync(path.join(modelsDir, 'v', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(otherDir, 'v'))).toBe(false);
  });

  it('/use in the chat looks in the session folder', async () => {
    const session = new Chat({ modelsDir: otherDir, configDir: tempDir(), deps: realEngine(otherDir), backendLabel: 'wasm' });
    await expect(session.use('m')).rejects.toThrow(/model 'm' not found/);
    const home = new Chat({ modelsDir, configDir: tempDir(), deps: realEngine(modelsDir), backendLabel: 'wasm' });
    await home.use('m');
    expect(home.model?.name).toBe('m');
    await home.shutdown();
    await session.shutdown();
  });

  it('a models folder that cannot be one is refused before training starts', async () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    for (const dir of [file, path.join(file, 'below')]) {
      const { ctx, run } = cli(dir);
      expect(await run('train', ['--corpus', corpus, '--name', 'n', '--preset', 'tiny', '--steps', '1'])).toBe('failed');
      expect(ctx.out.errors).toEqual([expect.stringMatching(/^cannot save models in .*a-file.*: it is not a folder/)]);
      const ls = cli(dir);
      expect(await ls.run('models', [])).toBe('ok');
    }
  });
});

