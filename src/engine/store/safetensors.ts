// Hugging Face safetensors: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}, then the raw little-endian data.
// The format is small enough to read directly; reading goes tensor by tensor (one positioned read each), so a
// model is never held twice in memory (file bytes + float32 copy of everything). F16 and BF16 widen to float32.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** The file holding it, and its absolute byte range there. */
  file: string;
  begin: number;
  end: number;
}

export interface SafetensorsSet {
  /** Entries by name, across every shard. */
  entries: Map<string, TensorEntry>;
  /** __metadata__ of the (first) file. */
  metadata: Record<string, string>;
  files: string[];
}

/** Header lengths above this are refused (GPT-2 XL's header is ~30 kB): a corrupt length would otherwise allocate gigabytes. */
const MAX_HEADER = 100 * 1024 * 1024;

function fail(file: string, why: string): never {
  throw new Error(`${path.basename(file)}: ${why}`);
}

/** Reads one file's header; entries carry absolute offsets into that file. */
export async function readHeader(file: string): Promise<{ entries: TensorEntry[]; metadata: Record<string, string> }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    fail(file, 'cannot be read (missing?)');
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) fail(file, `is truncated (${size} bytes, not a safetensors file)`);
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    const length = Number(head.readBigUInt64LE(0));
    if (length > MAX_HEADER || 8 + length > size) fail(file, `has a bad header length ${length} (file is ${size} bytes)`);
    const json = Buffer.alloc(length);
    await handle.read(json, 0, length, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    } catch {
      fail(file, 'has a header that is not valid JSON');
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, 'has a header that is not an object');
    const dataStart = 8 + length;
    const entries: TensorEntry[] = [];
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const spec = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (!(typeof spec?.dtype === 'string' && spec.dtype in BYTES)) {
        fail(file, `tensor ${name} has dtype ${String(spec?.dtype)}, which is not supported (F32, F16 and BF16 are)`);
      }
      const dtype = spec.dtype as SafetensorsDtype;
      const shape = spec.shape;
      if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) fail(file, `tensor ${name} has a bad shape`);
      const offsets = spec.data_offsets;
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && n >= 0)) {
        fail(file, `tensor ${name} has bad data_offsets`);
      }
      const [b, e] = offsets as number[];
      const want = (shape as number[]).reduce((a, n) => a * n, 1) * BYTES[dtype];
      if (e - b !== want) fail(file, `tensor ${name} has ${e - b} bytes for shape [${shape.join(', ')}] ${dtype} (${want} expected)`);
      if (dataStart + e > size) fail(file, `is truncated: tensor ${name} ends at byte ${dataStart + e}, the file has ${size}`);
      entries.push({ name, dtype, shape: shape as number[], file, begin: dataStart + b, end: dataStart + e });
    }
    const meta = header.__metadata__;
    const metadata = typeof meta === 'object' && meta !== null ? (meta as Record<string, string>) : {};
    return { entries, metadata };
  } finally {
    await handle.close();
  }
}

/**
 * The tensors of a model folder: model.safetensors, or the shards that model.safetensors.index.json lists.
 * Reads headers only.
 */
export async function openSafetensors(dir: string): Promise<SafetensorsSet> {
  const index = path.join(dir, 'model.safetensors.index.json');
  let files: string[];
  let weightMap: Record<string, string> | null = null;
  try {
    const json = JSON.parse(await fs.readFile(index, 'utf8')) as { weight_map?: Record<string, string> };
    if (typeof json.weight_map !== 'object' || json.weight_map === null) fail(index, 'has no weight_map');
    weightMap = json.weight_map;
    files = [...new Set(Object.values(weightMap))];
    if (files.some((f) => typeof f !== 'string' || f.includes('/') || f.includes('\\'))) fail(index, 'names a bad shard file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof SyntaxError) fail(index, 'is not valid JSON');
      throw error;
    }
    files = ['model.safetensors'];
  }
  const entries = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [i, f] of files.entries()) {
    const header = await readHeader(path.join(dir, f));
    if (i === 0) metadata = header.metadata;
    for (const e of header.entries) {
      if (entries.has(e.name)) fail(path.join(dir, f), `repeats tensor ${e.name}`);
      entries.set(e.name, e);
    }
  }
  if (weightMap) {
    const missing = Object.keys(weightMap).find((n) => !entries.has(n));
    if (missing) fail(index, `lists ${missing} in ${weightMap[missing]}, which does not hold it`);
  }
  return { entries, metadata, files };
}

/** One tensor's values as float32 (one read of its bytes, widened in place of a second copy of the model). */
export async function readTensor(entry: TensorEntry): Promise<Float32Array> {
  const bytes = new Uint8Array(entry.end - entry.begin);
  const handle = await fs.open(entry.file, 'r');
  try {
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, entry.begin);
    if (bytesRead !== bytes.length) fail(entry.file, `is truncated inside tensor ${entry.name}`);
  } finally {
    await handle.close();
  }
  return toFloat32(bytes, entry.dtype);
}

/** Little-endian bytes of one dtype to float32. The data is little-endian, as are the machines Node runs on. */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  if (dtype === 'F32') return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const half = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const out = new Float32Array(half.length);
  if (dtype === 'BF16') {
    // bfloat16 is the upper half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < half.length; i++) bits[i] = half[i]! << 16;
    return out;
  }
  for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]!);
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export interface WritableTensor {
  name: string;
  shape: number[];
  /** Called once, when the tensor's turn comes: only one tensor's values are held at a time. */
  values: () => Promise<Float32Array>;
}

/** Writes an F32 safetensors file, tensor by tensor, in the order given. */
export async function writeSafetensors(file: string, tensors: WritableTensor[], metadata: Record<string, string> = { format: 'pt' }): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, n) => a * n, 1) * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // Pad the header with spaces to a multiple of 8, so the data is aligned (as the reference writer does).
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const handle = await fs.open(file, 'w');
  try {
    await handle.write(head);
    await handle.write(json);
    for (const t of tensors) {
      const values = await t.values();
      const want = t.shape.reduce((a, n) => a * n, 1);
      if (values.length !== want) throw new Error(`tensor ${t.name} has ${values.length} values for shape [${t.shape.join(', ')}]`);
      await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}
