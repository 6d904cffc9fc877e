import { describe, expect, it } from 'vitest';
import { describeBackendBriefly } from './backend.js';

describe("the first screen's backend line", () => {
  it('is one short line: backend, its threads and the BLAS library, not every acceleration or skipped backend', () => {
    const wasm = {
      name: 'wasm' as const,
      detail: 'wasm (SIMD, 1 thread; tfjs-node failed to load: The Node.js native addon module (tfjs_binding.node) can not be found; webgpu: no GPU device)',
      accelerations: ['transpose-matmul', 'segment-sum', 'lstm-sequence', 'native-blas (OpenBLAS 0.3.21 Haswell, 1 thread)'],
    };
    expect(describeBackendBriefly(wasm)).toBe('backend: wasm (SIMD, 1 thread) + OpenBLAS');
    expect(describeBackendBriefly({ name: 'cpu', detail: 'cpu (plain JavaScript)', accelerations: [] })).toBe('backend: cpu (plain JavaScript)');
    expect(describeBackendBriefly({ ...wasm, accelerations: ['transpose-matmul'] })).toBe('backend: wasm (SIMD, 1 thread)');
  });
});
