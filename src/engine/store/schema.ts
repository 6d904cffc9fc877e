// The shapes of a model folder's JSON files, with ranges: a hand edit or a corruption is refused in one
// line naming the file and the field, before anything is built from it. Unknown extra fields are kept.
import { z } from 'zod';
import { isArch } from '../models/index.js';
import { isPlainFileName, ModelFileError } from './model-files.js';
import type { Manifest } from '../types.js';

/** Far above any vocabulary Inkling builds or imports; a bigger one is a corruption (and would not fit memory). */
export const MAX_VOCAB = 1_000_000;

const count = z.number().int().nonnegative();
const finite = z.number().finite();
const loss = finite.nullable();
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest');

const config = z.looseObject({
  arch: z.string().refine(isArch, 'unknown architecture'),
  vocabSize: count.min(1).max(MAX_VOCAB),
  dropout: finite.min(0).max(1).optional(),
});

export const manifestSchema = z.looseObject({
  format: z.literal(1),
  name: z.string().min(1),
  arch: z.string().refine(isArch, 'unknown architecture'),
  config,
  train: z.looseObject({ batchSize: count.min(1), seqLength: count.min(1) }),
  tokenizer: z.looseObject({ kind: z.enum(['char', 'word', 'bpe']), vocabSize: count.min(1).max(MAX_VOCAB) }),
  corpus: z.looseObject({ name: z.string(), trainTokens: count, valTokens: count }),
  parent: z.string().nullable(),
  finetune: z.looseObject({ data: z.string(), freeze: z.number().int() }).optional(),
  // A classifier (finetune --task classify): its labels, pooling and stage; head.json holds its head.
  task: z.literal('classify').optional(),
  classify: z
    .looseObject({
      labels: z.array(z.string()).min(2),
      pool: z.enum(['last', 'mean']),
      maxTokens: count.min(1),
      unfreeze: count,
      headEpochs: count,
      unfreezeEpochs: count,
      stage: z.enum(['head', 'unfreeze', 'done']),
    })
    .optional(),
  lora: z
    .looseObject({ rank: count.min(1).max(65_536), alpha: finite.positive(), dropout: finite.min(0).max(1), parameters: count, baseWeights: sha.optional() })
    .optional(),
  step: count,
  bestValLoss: loss,
  history: z.array(z.looseObject({ step: count, trainLoss: loss, valLoss: loss.optional() })),
  params: count,
  backend: z.string(),
  // Optional: manifests from before these fields existed still load (their readers default them).
  wallSeconds: finite.nonnegative().optional(),
  seed: z.number().int().optional(),
  command: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  // A pretrained model (inkling pull/import): where its weights came from and the config they had.
  source: z
    .looseObject({ repo: z.string().nullable(), revision: z.string().nullable(), path: z.string(), license: z.string().nullable(), config: z.looseObject({}) })
    .optional(),
  /** SHA-256 of every other file of the folder, written at save (manifest.json is written last). */
  checksums: z.record(z.string(), sha).optional(),
}).refine((m) => !m.lora || m.parent !== null, { message: 'a LoRA variant needs its base model as parent', path: ['parent'] });

const tensorSpec = z.looseObject({
  name: z.string().min(1),
  shape: z.array(count),
  dtype: z.enum(['float32', 'int32', 'bool']),
});

const weightsManifest = (bin: string) =>
  z
    .array(z.looseObject({ paths: z.array(z.string().refine(isPlainFileName, 'not a plain file name inside the folder')).length(1), weights: z.array(tensorSpec) }))
    .length(1)
    .refine((groups) => groups[0]!.paths[0] === bin, `the weights file must be ${bin}`);

export const modelJsonSchema = z.looseObject({
  format: z.literal('inkling-model/1'),
  arch: z.string(),
  config: z.looseObject({}),
  weightsManifest: weightsManifest('weights.bin'),
});

export const optimizerJsonSchema = z.looseObject({
  format: z.literal('inkling-optimizer/1'),
  step: count,
  weightsManifest: weightsManifest('optimizer.bin'),
});

/** A classifier's linear head (tasks/classify/head.ts): kernel [inputs, classes] row-major. */
export const headJsonSchema = z
  .looseObject({
    inputs: count.min(1),
    classes: count.min(2),
    mean: z.array(finite),
    scale: z.array(finite),
    kernel: z.array(finite),
    bias: z.array(finite),
    dropout: finite.min(0).max(1),
  })
  .refine((h) => h.kernel.length === h.inputs * h.classes && h.bias.length === h.classes && h.mean.length === h.inputs && h.scale.length === h.inputs, 'sizes do not match inputs x classes');

export type ModelJson = z.infer<typeof modelJsonSchema>;
export type OptimizerJson = z.infer<typeof optimizerJsonSchema>;

function valueAt(raw: unknown, at: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of at) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

/** `raw` checked against `schema`; a ModelFileError like `manifest.json: step: Too small ... (got -5)` otherwise. */
export function parseWith<S extends z.ZodType>(file: string, schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const got = issue.path.length > 0 ? ` (got ${shown(valueAt(raw, issue.path))})` : '';
  throw new ModelFileError(`${file}: ${where}${issue.message.replace(/^Invalid input: /, '')}${got}`);
}

/** JSON text of `file`, parsed and checked; one line naming the file when it is not valid JSON or not the schema. */
export function parseJsonFile<S extends z.ZodType>(file: string, bytes: Uint8Array | string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ModelFileError(`${file} is not valid JSON`);
  }
  return parseWith(file, schema, raw);
}

export function parseManifest(bytes: Uint8Array | string): Manifest {
  return parseJsonFile('manifest.json', bytes, manifestSchema) as unknown as Manifest;
}
