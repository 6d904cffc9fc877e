// The WebGPU backend in Node, through Dawn's `webgpu` npm package (installed by hand: backend.ts HINTS says how).
// tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported, so
// navigator.gpu is installed first and the backend is imported dynamically afterwards.
import * as tf from '@tensorflow/tfjs-core';
import { installWebgpuAddNFix } from '../kernels/fixes/webgpu-addn.js';
import { firstLine } from '../first-line.js';

export interface WebgpuAdapter {
  vendor: string;
  device: string;
  /** A fallback or software adapter (lavapipe/llvmpipe, SwiftShader, WARP): slower than wasm. */
  software: boolean;
}

export interface WebgpuResult {
  ok: boolean;
  /** One line: what runs, or why webgpu is not used. */
  detail: string;
  adapter?: WebgpuAdapter;
}

// Minimal slices of the WebGPU API used here (the full types live in @webgpu/types).
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** How navigator.gpu was installed, so releaseWebgpu can undo exactly that. */
let installed: { kind: 'navigator' | 'gpu'; previous?: PropertyDescriptor } | null = null;
let lastResult: WebgpuResult | null = null;
/** tfjs-backend-webgpu registers its factory once, at import; kept so a release can be undone. */
let savedFactory: { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | null = null;

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|software|basic render|warp/i;

export function describeAdapter(adapter: GpuAdapterLike): WebgpuAdapter {
  const info = adapter.info ?? {};
  const vendor = info.vendor || 'unknown vendor';
  const device = info.device || info.description || info.architecture || 'unknown device';
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    info.architecture === 'software' ||
    SOFTWARE_NAMES.test(`${info.device ?? ''} ${info.description ?? ''}`);
  return { vendor, device, software };
}

function defineGlobalsOnce(globals: Record<string, unknown>): void {
  // GPUBufferUsage, GPUMapMode, ... are used as globals by tfjs-backend-webgpu.
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (g[name] === undefined) {
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
  }
}

function installNavigatorGpu(gpu: GpuLike): void {
  if (installed) return;
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  const nav = g.navigator;
  if (nav === undefined || nav === null) {
    // Node 20: no navigator at all.
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    installed = { kind: 'navigator', previous };
    return;
  }
  try {
    // Node 21+: a read-only global navigator object, but the object itself takes new properties.
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    installed = { kind: 'gpu' };
  } catch {
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    installed = { kind: 'navigator', previous };
  }
}

function uninstallNavigatorGpu(): void {
  if (!installed) return;
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (installed.kind === 'gpu') {
    if (g.navigator) delete g.navigator.gpu;
  } else if (installed.previous) {
    Object.defineProperty(globalThis, 'navigator', installed.previous);
  } else {
    delete g.navigator;
  }
  installed = null;
}

function currentGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}

/**
 * Tries to make 'webgpu' the active tfjs backend. Software/fallback adapters are refused unless
 * `force` (they are slower than wasm; tests force them). Never throws.
 */
export async function tryWebgpu(force: boolean): Promise<WebgpuResult> {
  try {
    if (lastResult?.ok && tf.getBackend() === 'webgpu') return lastResult;
    let gpu = currentGpu();
    if (!gpu) {
      let dawn: DawnModule;
      try {
        dawn = (await import('webgpu')) as unknown as DawnModule;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return fail('webgpu package not installed');
        return fail(`webgpu package not available (${firstLine(err, '', 200)})`);
      }
      try {
        gpu = dawn.create([]);
      } catch (err) {
        return fail(`Dawn could not start: ${firstLine(err, '', 200)}`);
      }
      defineGlobalsOnce(dawn.globals);
      installNavigatorGpu(gpu);
    }

    // The same request tfjs-backend-webgpu makes, so the adapter judged here is the one it uses.
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      releaseWebgpu();
      return fail('no WebGPU adapter (no Vulkan/Metal/D3D12 driver found)');
    }
    const info = describeAdapter(adapter);
    const name = `${info.vendor} ${info.device}`;
    if (info.software && !force) {
      releaseWebgpu();
      return fail(`only a software adapter (${name}); use --backend webgpu to force it`, info);
    }

    try {
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (err) {
      releaseWebgpu();
      return fail(`@tensorflow/tfjs-backend-webgpu not available (${firstLine(err, '', 200)})`, info);
    }
    if (!tf.findBackendFactory('webgpu') && savedFactory) {
      tf.registerBackend('webgpu', savedFactory.factory, savedFactory.priority);
    }
    if (!tf.findBackendFactory('webgpu')) {
      releaseWebgpu();
      return fail('tfjs-backend-webgpu did not register (was it imported before navigator.gpu existed?)', info);
    }
    // setBackend returns false (and logs a warning) when the backend factory throws.
    const set = await tf.setBackend('webgpu');
    await tf.ready();
    if (!set || tf.getBackend() !== 'webgpu') {
      releaseWebgpu();
      return fail(`webgpu backend failed to initialise on ${name}`, info);
    }
    installWebgpuAddNFix();
    watchDeviceErrors();
    lastResult = { ok: true, detail: `webgpu on ${name}${info.software ? ' (software)' : ''}`, adapter: info };
    return lastResult;
  } catch (err) {
    releaseWebgpu();
    return fail(`webgpu failed: ${firstLine(err, '', 200)}`);
  }
}

/** The first validation/out-of-memory error the device reported since webgpu started. */
let deviceError: string | null = null;

function watchDeviceErrors(): void {
  deviceError = null;
  const device = (tf.backend() as unknown as { device?: { onuncapturederror: unknown } }).device;
  if (!device) return;
  // A rejected pipeline does not throw: tfjs carries on with stale memory. Dawn prints the error
  // itself (natively, to stdout); keeping it lets the engine fail loudly instead of training on garbage.
  device.onuncapturederror = (event: { error?: { message?: string } }) => {
    deviceError ??= firstLine(event.error?.message ?? 'unknown WebGPU device error', '', 200);
  };
}

/**
 * The first error the WebGPU device reported (e.g. a shader or pipeline that failed validation),
 * or null. Results computed after such an error are wrong: check it after a training step.
 */
export function webgpuDeviceError(): string | null {
  return deviceError;
}

function fail(detail: string, adapter?: WebgpuAdapter): WebgpuResult {
  lastResult = null;
  return adapter ? { ok: false, detail, adapter } : { ok: false, detail };
}

/**
 * Drops the webgpu backend, its device and navigator.gpu: Dawn keeps the process alive while
 * they exist. Call once the engine is done (before exit); safe to call any time, never throws.
 * After it, the active backend is whatever tfjs picks next among the registered ones.
 */
export function releaseWebgpu(): void {
  try {
    const engine = tf.engine();
    const backend = engine.registry['webgpu'] as unknown as { device?: { destroy(): void } } | undefined;
    if (engine.registryFactory['webgpu']) {
      savedFactory = engine.registryFactory['webgpu'];
      tf.removeBackend('webgpu');
    }
    backend?.device?.destroy();
  } catch {
    // Releasing is best effort: a half-initialised backend may not have a device.
  }
  uninstallNavigatorGpu();
  lastResult = null;
}
