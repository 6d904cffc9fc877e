// `inkling check NAME`: every check there is on one model folder, file by file, including what loading
// skips (the optimizer state) and what listings skip (checksums of large weights).
import { firstLine } from '../first-line.js';
import path from 'node:path';
import { countParameters } from '../models/index.js';
import { ModelFileError, modelFileSize } from './model-files.js';
import { baseDirOf } from './lora-variant.js';
import { checkFinite, readManifestAt, readTokenizerAt, readVerified, readWeightsBin, readWeightsJson, type WeightsJsonFile } from './read-folder.js';
import type { Manifest } from '../types.js';

export interface FileCheck {
  file: string;
  ok: boolean;
  /** What was checked, or what is wrong (one line). */
  detail: string;
}

export interface FolderCheck {
  name: string;
  dir: string;
  checks: FileCheck[];
  /** Problems that stop the model from loading (the optimizer state only stops --resume). */
  usable: boolean;
  /** Whether --resume can use the optimizer state (false when there is none). */
  resumable: boolean;
}

function reason(error: unknown): string {
  return error instanceof ModelFileError ? error.message : `cannot read: ${firstLine(error)}`;
}

async function attempt(checks: FileCheck[], file: string, run: () => Promise<string>): Promise<boolean> {
  try {
    checks.push({ file, ok: true, detail: await run() });
    return true;
  } catch (error) {
    checks.push({ file, ok: false, detail: reason(error) });
    return false;
  }
}

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`);

async function checkWeights(dir: string, manifest: Manifest, jsonFile: WeightsJsonFile, checks: FileCheck[]): Promise<boolean> {
  const sums = manifest.checksums !== undefined;
  let group: Awaited<ReturnType<typeof readWeightsJson>> | null = null;
  const jsonOk = await attempt(checks, jsonFile, async () => {
    group = await readWeightsJson(dir, manifest, jsonFile);
    return `${group.specs.length} tensors${sums ? ', checksum matches' : ''}`;
  });
  if (!jsonOk || !group) return false;
  const g = group as Awaited<ReturnType<typeof readWeightsJson>>;
  return attempt(checks, g.bin, async () => {
    const data = await readWeightsBin(dir, manifest, g);
    checkFinite(g, data);
    if (jsonFile === 'model.json') {
      const saved = g.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
      const wanted = manifest.lora ? manifest.lora.parameters : countParameters(manifest.config);
      if (saved !== wanted) throw new ModelFileError(`${g.bin} holds ${saved} parameters but the config needs ${wanted}`);
    }
    return `${mb(data.byteLength)}${sums ? ', checksum matches' : ''}, all values finite`;
  });
}

/** Check everything in model folder `dir`. Never throws for a problem in the folder: it is reported. */
export async function checkModelFolder(dir: string): Promise<FolderCheck> {
  const name = path.basename(dir);
  const checks: FileCheck[] = [];
  let manifest: Manifest | null = null;
  await attempt(checks, 'manifest.json', async () => {
    manifest = await readManifestAt(dir);
    return manifest.checksums ? `valid, records ${Object.keys(manifest.checksums).length} checksums` : 'valid, but saved before checksums were recorded: files are checked for shape and values only';
  });
  if (!manifest) return { name, dir, checks, usable: false, resumable: false };
  const m = manifest as Manifest;
  let usable = m.lora
    ? await attempt(checks, 'tokenizer.json', async () => `none kept: a LoRA adapter uses its base's (${path.basename(await baseDirOf(dir, m))})`)
    : await attempt(checks, 'tokenizer.json', async () => `${(await readTokenizerAt(dir, m)).vocabSize} tokens${m.checksums ? ', checksum matches' : ''}`);
  usable = (await checkWeights(dir, m, 'model.json', checks)) && usable;
  const hasOptimizer = m.checksums
    ? 'optimizer.json' in m.checksums
    : await modelFileSize(dir, 'optimizer.json').then(() => true, (error: Error) => !error.message.startsWith('missing '));
  const resumable = hasOptimizer && (await checkWeights(dir, m, 'optimizer.json', checks));
  const known = new Set(['model.json', 'weights.bin', 'tokenizer.json', 'optimizer.json', 'optimizer.bin']);
  for (const file of Object.keys(m.checksums ?? {}).filter((f) => !known.has(f))) {
    usable = (await attempt(checks, file, async () => (await readVerified(dir, m, file), 'checksum matches'))) && usable;
  }
  return { name, dir, checks, usable, resumable };
}
