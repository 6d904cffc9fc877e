// Temporary: a minimal safetensors reader for the Llama tests until store/safetensors.ts lands.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function readSafetensorsFolder(dir: string): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  const files = existsSync(join(dir, 'model.safetensors'))
    ? ['model.safetensors']
    : [...new Set(Object.values(JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')).weight_map as Record<string, string>))];
  for (const f of files) {
    const buf = readFileSync(join(dir, f));
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    for (const [key, info] of Object.entries<any>(header)) {
      if (key === '__metadata__') continue;
      const [a, b] = info.data_offsets;
      const raw = buf.subarray(8 + n + a, 8 + n + b);
      const count = info.shape.reduce((x: number, y: number) => x * y, 1);
      const data = new Float32Array(count);
      if (info.dtype === 'F32') for (let i = 0; i < count; i++) data[i] = raw.readFloatLE(4 * i);
      else if (info.dtype === 'BF16') {
        const u = new Uint32Array(data.buffer);
        for (let i = 0; i < count; i++) u[i] = raw.readUInt16LE(2 * i) << 16;
      } else continue;
      out.set(key, { data, shape: info.shape });
    }
  }
  return out;
}
