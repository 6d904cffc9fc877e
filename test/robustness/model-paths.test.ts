// A model folder may come from someone else: it must never make Inkling read outside itself. Files it refers
// to are plain names inside the folder and regular files (no `..`, absolute path, symlink or fifo), and the
// corpus it records is read only when it is a shipped one (a file must be given on the command line).
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../support/commands.js';
import { runArgv } from '../../src/commands/dispatch.js';
import { loadCorpus } from '../../src/engine/data/corpus.js';
import { loadModel, loadResumeState } from '../../src/engine/store/checkpoint.js';
import { listModels } from '../../src/engine/store/registry.js';
import { evaluateModel } from '../../src/engine/training/evaluate.js';
import { prepareTraining } from '../../src/engine/training/run-setup.js';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
let modelsDir: string;
let n = 0;
const dir = (name: string) => path.join(modelsDir, name);

function copy(): string {
  const name = `p${n++}`;
  cpSync(dir('good'), dir(name), { recursive: true });
  return name;
}
function editJson(name: string, file: string, edit: (j: Record<string, any>) => void): void {
  const target = path.join(dir(name), file);
  const json = JSON.parse(readFileSync(target, 'utf8'));
  edit(json);
  writeFileSync(target, JSON.stringify(json));
}
async function listed(name: string): Promise<string | true> {
  const entry = (await listModels([modelsDir])).find((e) => e.name === name)!;
  return entry.ok ? true : entry.error;
}

beforeAll(async () => {
  modelsDir = tempDir('inkling-paths-');
  await makeTinyModel(modelsDir, 'good', { steps: 2, evalInterval: 2 });
});

describe('files a model refers to stay inside its folder', () => {
  it.each([['../good/weights.bin'], ['/etc/passwd'], ['sub/weights.bin']])('model.json paths [%s] is refused, naming model.json', async (target) => {
    const name = copy();
    editJson(name, 'model.json', (j) => (j.weightsManifest[0].paths = [target]));
    expect(await listed(name)).toMatch(/^model.json: weightsManifest.0.paths.0: not a plain file name inside the folder/);
    await expect(loadModel(dir(name))).rejects.toThrow(new RegExp(`^model '${name}': model.json: weightsManifest`));
  });

  it('optimizer.json paths ["../good/optimizer.bin"] is refused by --resume', async () => {
    const name = copy();
    editJson(name, 'optimizer.json', (j) => (j.weightsManifest[0].paths = ['../good/optimizer.bin']));
    await expect(loadResumeState(dir(name))).rejects.toThrow(/^model 'p\d+': optimizer.json: weightsManifest.0.paths.0: not a plain file name/);
  });

  it('a symlinked weights.bin is refused even when it points at good weights', async () => {
    const name = copy();
    rmSync(path.join(dir(name), 'weights.bin'));
    symlinkSync(path.join(dir('good'), 'weights.bin'), path.join(dir(name), 'weights.bin'));
    expect(await listed(name)).toMatch(/^weights.bin is a symbolic link/);
    await expect(loadModel(dir(name))).rejects.toThrow(/weights.bin is a symbolic link/);
  });

  it('a fifo named manifest.json does not hang inkling models: it is listed as broken', async () => {
    const name = copy();
    rmSync(path.join(dir(name), 'manifest.json'));
    execFileSync('mkfifo', [path.join(dir(name), 'manifest.json')]);
    const ctx = cliContext(modelsDir);
    expect(await runArgv('models', [], ctx, 'cli')).toBe('ok');
    expect(ctx.out.text()).toContain(`broken: ${name} — manifest.json is not a regular file (skipped)`);
    expect(ctx.out.text()).toMatch(/^good\s+gpt/m);
  });
});

describe("a model's recorded corpus", () => {
  it('a manifest corpus of /etc/passwd is not read by eval or --resume; --corpus stays explicit', async () => {
    const name = copy();
    editJson(name, 'manifest.json', (j) => {
      j.corpus.name = '/etc/passwd';
      delete j.checksums;
    });
    const loaded = await loadModel(dir(name));
    try {
      await expect(evaluateModel(loaded)).rejects.toThrow(/^model 'p\d+' was trained on the file "\/etc\/passwd": a path recorded in a model folder is not read on its own; give the text with --corpus FILE$/);
    } finally {
      loaded.dispose();
    }
    await expect(prepareTraining({ kind: 'train', name, modelsDir, corpus: '', arch: 'gpt', tokenizer: 'char', resume: true, steps: 1 })).rejects.toThrow(
      /was trained on the file "\/etc\/passwd".*again with --corpus FILE$/,
    );
    const setup = await prepareTraining({ kind: 'train', name, modelsDir, corpus: writeCorpus(tempDir()), arch: 'gpt', tokenizer: 'char', resume: true, steps: 1 });
    setup.dispose();
  });

  it('eval on a corpus with characters the model lacks says how many were skipped', async () => {
    const loaded = await loadModel(dir('good'));
    try {
      const report = await evaluateModel(loaded, { corpus: writeCorpus(tempDir(), 'the cat sat on the mat. ZZZ QQQ!\n'.repeat(60)) });
      expect(report.unknownAs).toBe('skipped');
      expect(report.outOfVocabulary).toBeGreaterThan(0);
    } finally {
      loaded.dispose();
    }
  });
});

describe('corpus text', () => {
  it('a BOM and CRLF line ends are normalised', async () => {
    const file = writeCorpus(tempDir(), '\uFEFFfirst line\r\nsecond line\r\n');
    const corpus = await loadCorpus(file);
    expect(corpus.documents[0]!.text).toBe('first line\nsecond line\n');
  });
});
