/**
 * tfjs-backend-webgpu 4.22's AddN binds every input as a storage buffer in one shader. WebGPU's
 * default limit is 8 storage buffers per stage (7 inputs + the output): with more inputs Dawn
 * rejects the pipeline and the result is silently stale memory (AddN of 15 ones gave 28). AdamW's
 * global-norm clipping sums one term per weight, so every GPT step hit it. This wraps the stock
 * kernel to add at most `limit - 1` tensors per dispatch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface WebgpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): boolean;
}

const PATCHED = Symbol('inkling.addn-chunked');

/** Replace webgpu's AddN with a chunked one. Call after tf.setBackend('webgpu'); idempotent. */
export function installWebgpuAddNFix(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || (stock.kernelFunc as unknown as Record<symbol, boolean>)[PATCHED]) return;
  const stockFunc = stock.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as unknown as WebgpuBackendLike;
    const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let level = Array.from(args.inputs as unknown as ArrayLike<TensorInfo>);
    const temps: TensorInfo[] = [];
    while (level.length > maxInputs) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < level.length; i += maxInputs) {
        const chunk = level.slice(i, i + maxInputs);
        if (chunk.length === 1) {
          next.push(chunk[0]);
          continue;
        }
        const sum = stockFunc({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
        temps.push(sum);
        next.push(sum);
      }
      level = next;
    }
    const result = stockFunc({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
    // The backend defers freeing buffers still owned by queued commands, so this is safe here.
    for (const t of temps) backend.disposeData(t.dataId);
    return result;
  };
  (kernelFunc as unknown as Record<symbol, boolean>)[PATCHED] = true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc });
}
