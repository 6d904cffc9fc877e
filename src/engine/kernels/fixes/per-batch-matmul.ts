/**
 * Batched products through the stock kernel's fast path. The stock BatchMatMul only uses XNNPACK when both batch
 * sizes are 1; any real batch (attention: one product per head) falls to a naive triple loop. Here each batch is
 * handed to the stock C function as its own unbatched product, on views registered at offsets inside the
 * operands and the output (no copies). Views are unregistered without freeing: they own no memory.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from '../wasm-internals.js';

type CBatchMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: number, tb: number, outId: number) => void;

interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): CBatchMatMul;
  tfjs: { disposeData(id: number): void };
}

const cFunctions = new WeakMap<object, CBatchMatMul>();

function cBatchMatMul(backend: WasmBackendInternals): CBatchMatMul {
  const wasm = backend.wasm as unknown as WasmModule;
  let f = cFunctions.get(wasm);
  if (!f) {
    f = wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    cFunctions.set(wasm, f);
  }
  return f;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** a [batch, m, k] x b [batch, k, n], both row-major and unshared batches -> a new [batch, m, n]. */
export function perBatchMatMul(backend: WasmBackendInternals, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  const out = backend.makeOutput([batch, m, n], 'float32');
  const wasm = backend.wasm as unknown as WasmModule;
  const run = cBatchMatMul(backend);
  const aBase = backend.dataIdMap.get(a.dataId).memoryOffset;
  const bBase = backend.dataIdMap.get(b.dataId).memoryOffset;
  const outBase = backend.dataIdMap.get(out.dataId).memoryOffset;
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const view = (shape: number[], offset: number) => {
    const info = backend.makeOutput(shape, 'float32', offset);
    return { dataId: info.dataId, id: backend.dataIdMap.get(info.dataId).id };
  };
  const release = (v: { dataId: object; id: number }) => {
    wasm.tfjs.disposeData(v.id); // also drops the XNNPACK operator cached on this id
    backend.dataIdMap.delete(v.dataId);
  };
  for (let i = 0; i < batch; i++) {
    const av = view([1, m, k], aBase + i * m * k * 4);
    const bv = view([1, k, n], bBase + i * k * n * 4);
    const ov = view([1, m, n], outBase + i * m * n * 4);
    try {
      run(av.id, aShape, 3, bv.id, bShape, 3, 0, 0, ov.id);
    } finally {
      release(av);
      release(bv);
      release(ov);
    }
  }
  return out;
}
