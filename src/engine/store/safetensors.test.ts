import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, readTensor, toFloat32, writeSafetensors } from './safetensors.js';

const HF = path.resolve('test/fixtures/hf');
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-st-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('safetensors reader', () => {
  it('reads an F32 file with its names, shapes and the causal-mask buffer', async () => {
    const set = await openSafetensors(path.join(HF, 'tiny-gpt2'));
    expect(set.metadata).toEqual({ format: 'pt' });
    const wte = set.entries.get('transformer.wte.weight')!;
    expect(wte.shape).toEqual([297, 32]);
    expect(set.entries.get('transformer.h.0.attn.c_attn.weight')!.shape).toEqual([32, 96]);
    const mask = await readTensor(set.entries.get('transformer.h.0.attn.bias')!);
    // The old causal-mask buffer: lower triangle of ones.
    expect([mask[0], mask[1], mask[64], mask[65]]).toEqual([1, 0, 1, 1]);
  });

  it('reads F16 shards through the index and widens them to the F32 values rounded to half precision', async () => {
    const f32 = await openSafetensors(path.join(HF, 'tiny-gpt2'));
    const f16 = await openSafetensors(path.join(HF, 'tiny-gpt2-f16'));
    expect(f16.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect([...f16.entries.keys()].sort()).toEqual([...f32.entries.keys()].map((k) => k.replace(/^transformer\./, '')).sort());
    for (const name of ['wte.weight', 'h.1.mlp.c_proj.weight', 'ln_f.bias']) {
      expect(f16.entries.get(name)!.dtype).toBe('F16');
      const a = await readTensor(f32.entries.get(`transformer.${name}`)!);
      const b = await readTensor(f16.entries.get(name)!);
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(a[i]!) * 2 ** -11 + 2 ** -24);
    }
  });

  it('reads BF16 as the upper half of float32', async () => {
    const set = await openSafetensors(path.join(HF, 'tiny-llama'));
    const entry = [...set.entries.values()].find((e) => e.dtype === 'BF16')!;
    const values = await readTensor(entry);
    // A BF16 value has zero low 16 bits once widened.
    const bits = new Uint32Array(values.buffer);
    expect(bits.every((b) => (b & 0xffff) === 0)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
  });

  it('widens half-precision specials exactly', () => {
    const half = new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x3555]);
    const out = toFloat32(new Uint8Array(half.buffer), 'F16');
    expect([...out]).toEqual([1, -2, 2 ** -24, 65504, Infinity, -Infinity, 0, -0, Math.fround(0.333251953125)]);
    expect(Number.isNaN(toFloat32(new Uint8Array(new Uint16Array([0x7e00]).buffer), 'F16')[0])).toBe(true);
  });
});

describe('safetensors writer', () => {
  it('writes F32 that reads back bit for bit, with an 8-byte aligned data start', async () => {
    const dir = path.join(tmp, 'rt');
    await fs.mkdir(dir);
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 0.1 - 0.3);
    const b = new Float32Array([Math.PI]);
    await writeSafetensors(path.join(dir, 'model.safetensors'), [
      { name: 'a.weight', shape: [2, 3], values: async () => a },
      { name: 'b', shape: [1], values: async () => b },
    ]);
    const bytes = await fs.readFile(path.join(dir, 'model.safetensors'));
    expect((8 + Number(bytes.readBigUInt64LE(0))) % 8).toBe(0);
    const set = await openSafetensors(dir);
    expect(set.entries.get('a.weight')!.shape).toEqual([2, 3]);
    expect([...(await readTensor(set.entries.get('a.weight')!))]).toEqual([...a]);
    expect([...(await readTensor(set.entries.get('b')!))]).toEqual([...b]);
  });

  it('refuses values that do not fill the shape', async () => {
    await expect(writeSafetensors(path.join(tmp, 'bad.safetensors'), [{ name: 'x', shape: [3], values: async () => new Float32Array(2) }])).rejects.toThrow(
      'tensor x has 2 values for shape [3]',
    );
  });
});

describe('safetensors errors are one line naming the problem', () => {
  async function copyWith(name: string, edit: (bytes: Buffer) => Buffer): Promise<string> {
    const dir = path.join(tmp, name);
    await fs.mkdir(dir);
    const bytes = await fs.readFile(path.join(HF, 'tiny-gpt2/model.safetensors'));
    await fs.writeFile(path.join(dir, 'model.safetensors'), edit(bytes));
    return dir;
  }

  it('a truncated file', async () => {
    const dir = await copyWith('trunc', (b) => b.subarray(0, b.length - 100));
    await expect(openSafetensors(dir)).rejects.toThrow(/^model\.safetensors: is truncated: tensor \S+ ends at byte \d+, the file has \d+$/);
  });

  it('an unsupported dtype', async () => {
    const dir = await copyWith('dtype', (b) => Buffer.from(b.toString('latin1').replace('"dtype":"F32"', '"dtype":"I64"'), 'latin1'));
    await expect(openSafetensors(dir)).rejects.toThrow(/dtype I64, which is not supported \(F32, F16 and BF16 are\)/);
  });

  it('a garbage header length, and a missing file', async () => {
    const dir = await copyWith('len', (b) => {
      const c = Buffer.from(b);
      c.writeBigUInt64LE(1n << 40n);
      return c;
    });
    await expect(openSafetensors(dir)).rejects.toThrow(/has a bad header length/);
    await expect(openSafetensors(path.join(tmp, 'nowhere'))).rejects.toThrow('model.safetensors: cannot be read (missing?)');
  });

  it('an index naming a shard that lacks the tensor', async () => {
    const dir = path.join(tmp, 'index');
    await fs.cp(path.join(HF, 'tiny-gpt2-f16'), dir, { recursive: true });
    const index = JSON.parse(await fs.readFile(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
    index.weight_map['lm_head.weight'] = 'model-00002-of-00002.safetensors';
    await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
    await expect(openSafetensors(dir)).rejects.toThrow('model.safetensors.index.json: lists lm_head.weight in model-00002-of-00002.safetensors, which does not hold it');
  });
});
