// One home for reading a model folder's files with every check that applies: safe opening (model-files.ts),
// the schemas (schema.ts), the checksums the manifest recorded at save, and the consistency between files.
// Loading (checkpoint.ts), listing (registry.ts) and `inkling check` (verify.ts) all go through here.
import { firstLine } from '../first-line.js';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tokenizerFromJSON } from '../data/tokenizers/index.js';
import { MAX_JSON_BYTES, ModelFileError, modelFileSize, readModelFile, verifyChecksum } from './model-files.js';
import { modelJsonSchema, optimizerJsonSchema, parseJsonFile, parseManifest } from './schema.js';
import type { Manifest, Tokenizer, TokenizerJSON } from '../types.js';

export type WeightsJsonFile = 'model.json' | 'optimizer.json';

export interface WeightsGroup {
  /** model.json or optimizer.json, parsed. */
  json: Record<string, unknown>;
  specs: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' }[];
  /** weights.bin or optimizer.bin. */
  bin: string;
  /** Bytes the specs need. */
  bytes: number;
}

const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1 } as const;

export async function readManifestAt(dir: string): Promise<Manifest> {
  return parseManifest(await readModelFile(dir, 'manifest.json', MAX_JSON_BYTES));
}

/** A model file's bytes, checked against the manifest's checksum. */
export async function readVerified(dir: string, manifest: Manifest, file: string, maxBytes?: number): Promise<Buffer> {
  const data = await readModelFile(dir, file, maxBytes);
  verifyChecksum(file, data, manifest.checksums);
  return data;
}

export async function readTokenizerAt(dir: string, manifest: Manifest): Promise<Tokenizer> {
  // Content first, checksum last: a specific reason beats "changed since it was saved".
  const bytes = await readModelFile(dir, 'tokenizer.json', MAX_JSON_BYTES);
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(JSON.parse(bytes.toString('utf8')) as TokenizerJSON);
  } catch (error) {
    throw new ModelFileError(error instanceof SyntaxError ? 'tokenizer.json is not valid JSON' : (error as Error).message.replace(/^invalid tokenizer\.json/, 'tokenizer.json'));
  }
  if (tokenizer.kind !== manifest.tokenizer.kind) {
    throw new ModelFileError(`tokenizer.json is ${tokenizer.kind} but the manifest says ${manifest.tokenizer.kind}`);
  }
  if (tokenizer.vocabSize !== manifest.config.vocabSize || tokenizer.vocabSize !== manifest.tokenizer.vocabSize) {
    throw new ModelFileError(`tokenizer does not match the model (vocabulary ${tokenizer.vocabSize}, model expects ${manifest.config.vocabSize})`);
  }
  verifyChecksum('tokenizer.json', bytes, manifest.checksums);
  return tokenizer;
}

/** model.json keeps a copy of the config: a manifest edited by hand no longer matches it. */
function checkSameConfig(manifest: Manifest, json: Record<string, unknown>): void {
  const saved = json.config as Record<string, unknown>;
  const claimed = manifest.config as unknown as Record<string, unknown>;
  const key = [...new Set([...Object.keys(saved), ...Object.keys(claimed)])].find((k) => JSON.stringify(saved[k]) !== JSON.stringify(claimed[k])); // values may be objects (rope scaling)
  if (key !== undefined) {
    throw new ModelFileError(`manifest.json config does not match model.json (${key}: ${JSON.stringify(claimed[key])} vs ${JSON.stringify(saved[key])})`);
  }
  if (json.arch !== manifest.arch) throw new ModelFileError(`model.json is a ${String(json.arch)} model but manifest.json says ${manifest.arch}`);
}

/** model.json or optimizer.json: checked against its schema, its checksum and (model.json) the manifest's config. */
export async function readWeightsJson(dir: string, manifest: Manifest, file: WeightsJsonFile): Promise<WeightsGroup> {
  const bytes = await readModelFile(dir, file, MAX_JSON_BYTES);
  const json = parseJsonFile(file, bytes, file === 'model.json' ? modelJsonSchema : optimizerJsonSchema) as Record<string, unknown> & {
    weightsManifest: { paths: string[]; weights: WeightsGroup['specs'] }[];
  };
  if (file === 'model.json') checkSameConfig(manifest, json);
  const group = json.weightsManifest[0]!;
  const names = new Set<string>();
  let total = 0;
  for (const spec of group.weights) {
    if (names.has(spec.name)) throw new ModelFileError(`${file} names weight ${spec.name} twice`);
    names.add(spec.name);
    total += spec.shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[spec.dtype];
  }
  verifyChecksum(file, bytes, manifest.checksums);
  return { json, specs: group.weights, bin: group.paths[0]!, bytes: total };
}

/** The binary file of a weights group, checked for size and checksum. */
export async function readWeightsBin(dir: string, manifest: Manifest, group: WeightsGroup): Promise<Buffer> {
  const data = await readModelFile(dir, group.bin);
  checkSize(group, data.byteLength);
  verifyChecksum(group.bin, data, manifest.checksums);
  return data;
}

function checkSize(group: WeightsGroup, actual: number): void {
  if (actual < group.bytes) throw new ModelFileError(`${group.bin} is truncated (${actual} of ${group.bytes} bytes)`);
  if (actual > group.bytes) throw new ModelFileError(`${group.bin} is larger than its manifest says (${actual}, expected ${group.bytes} bytes)`);
}

// Listings run on every `inkling models` and every Tab completion: weights are hashed once per process and
// file version, and only up to this size (bigger ones are verified when loaded, and by `inkling check`).
export const LISTING_HASH_LIMIT = 32 * 1024 * 1024;
const hashed = new Map<string, string>();

/** The listing's check of a weights group: size always, checksum when small enough (cached by inode, size and mtime). */
export async function checkWeightsBinCheaply(dir: string, manifest: Manifest, group: WeightsGroup): Promise<void> {
  const size = await modelFileSize(dir, group.bin);
  checkSize(group, size);
  const expected = manifest.checksums?.[group.bin];
  if (expected === undefined || size > LISTING_HASH_LIMIT) return;
  const info = await fs.lstat(path.join(dir, group.bin));
  const key = `${path.resolve(dir, group.bin)}:${info.ino}:${info.size}:${info.mtimeMs}`;
  let digest = hashed.get(key);
  if (digest === undefined) {
    digest = createHash('sha256').update(await readModelFile(dir, group.bin)).digest('hex');
    hashed.set(key, digest);
  }
  if (digest !== expected) throw new ModelFileError(`${group.bin} does not match its checksum in manifest.json (changed or corrupted since it was saved)`);
}

/** The first tensor of `data` holding NaN or Infinity, or null. */
export function firstNonFinite(group: WeightsGroup, data: Uint8Array): string | null {
  let offset = 0;
  for (const spec of group.specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32') {
      const start = data.byteOffset + offset;
      const values = start % 4 === 0 ? new Float32Array(data.buffer, start, n) : new Float32Array(data.buffer.slice(start, start + n * 4));
      for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) return spec.name;
    }
    offset += n * BYTES_PER_ELEMENT[spec.dtype];
  }
  return null;
}

/** Throws when a float tensor of the group holds NaN or Infinity. */
export function checkFinite(group: WeightsGroup, data: Uint8Array): void {
  const bad = firstNonFinite(group, data);
  if (bad !== null) throw new ModelFileError(`${group.bin} holds non-finite values (NaN or Infinity) in ${bad}`);
}

/** A one-line Error for a problem in model folder `dir`: `model 'NAME' is missing X`, `model 'NAME': X ...`. */
export function modelError(dir: string, error: unknown): Error {
  const message = firstLine(error);
  const name = path.basename(dir);
  return new Error(message.startsWith('missing ') ? `model '${name}' is ${message}` : `model '${name}': ${message}`);
}
