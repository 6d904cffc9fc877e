/**
 * Picks the tfjs backend (tensorflow > webgpu > wasm > cpu, or the one forced by --backend / INKLING_BACKEND),
 * installs the wasm kernel fixes, and reports what runs in one line. Never prints: tfjs's own chatter is
 * silenced here, since stray output corrupts the Ink UI.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
// Gradients (and chained ops) come from the union package's Node build; our BatchMatMul gradient replaces its one.
import './gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { releaseWebgpu, tryWebgpu } from './backend-webgpu.js';
import { installWasmKernelFixes, nativeBlasNote } from '../kernels/index.js';
import { installMatMulGradient } from '../kernels/fixes/matmul-gradient.js';
import { firstLine } from '../first-line.js';
import type { BackendName } from '../types.js';

export type BackendInfo = { name: BackendName; detail: string; accelerations: string[] };

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * How to get a forced backend that is missing, appended to the error. tfjs-node is an optional dependency whose
 * install script downloads libtensorflow (so it is missing offline, or when npm skipped the script); webgpu is
 * not a dependency and is added by hand (README, Install as a command).
 */
const HINTS: Partial<Record<BackendName, string>> = {
  tensorflow: ' (@tensorflow/tfjs-node installs only online, with its script allowed: npm install -g --allow-scripts=@tensorflow/tfjs-node,core-js inkling, or npm install in the checkout)',
  webgpu: ' (needs a GPU driver and the webgpu package: npm install webgpu in the checkout, or npm install -g webgpu beside Inkling)',
};

type Attempt = { ok: true; info: BackendInfo } | { ok: false; why: string };

silenceTfjs();
installMatMulGradient();

/**
 * In tfjs 4.22 the PROD flag only gates tfjs's own warn/log helpers (the "Hi, looks like you are running
 * TensorFlow.js in Node.js" banner, kernel/backend re-registration and backend init failure warnings).
 * TF_CPP_MIN_LOG_LEVEL quiets libtensorflow's C++ logging should tfjs-node load.
 */
function silenceTfjs(): void {
  tf.env().set('PROD', true);
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
}

/**
 * tf.setBackend returns false when the backend's factory throws, and tells why only through a warning, which
 * silenceTfjs hides: collect that warning during this one call.
 */
async function setBackendExplained(name: string): Promise<{ ok: boolean; why: string }> {
  const caught: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => caught.push(args.map(String).join(' '));
  tf.env().set('PROD', false);
  try {
    const ok = (await tf.setBackend(name)) && tf.getBackend() === name;
    if (ok) await tf.ready();
    const reason = caught.filter((l) => !/^Initialization of backend/.test(l)).map((l) => firstLine(l, 'unknown error', 160))[0];
    return { ok, why: reason ?? `${name} backend failed to initialise` };
  } catch (err) {
    return { ok: false, why: firstLine(err, 'unknown error', 160) };
  } finally {
    tf.env().set('PROD', true);
    console.warn = warn;
  }
}

async function tryTensorflow(): Promise<Attempt> {
  try {
    // A variable specifier: the package is optional and usually absent, so it must not be resolved at build time.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    return { ok: false, why: missing ? 'tfjs-node not installed' : `tfjs-node failed to load: ${firstLine(err, 'unknown error', 160)}` };
  }
  const set = await setBackendExplained('tensorflow');
  if (!set.ok) return { ok: false, why: `tfjs-node did not start: ${set.why}` };
  return { ok: true, info: { name: 'tensorflow', detail: 'tensorflow (tfjs-node, libtensorflow)', accelerations: [] } };
}

/**
 * On Linux a GPU shows up as /dev/dri/* (Mesa, AMD, Intel) or /dev/nvidia*; without one only a software
 * adapter could answer, which auto mode rejects anyway, and probing Dawn prints native warnings to stderr
 * that would corrupt the UI. So auto mode probes only where a GPU device exists.
 */
function mayHaveGpu(): boolean {
  if (process.platform !== 'linux') return true;
  return existsSync('/dev/dri') || existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

async function tryWebgpuBackend(force: boolean): Promise<Attempt> {
  if (!force && !mayHaveGpu()) return { ok: false, why: 'webgpu: no GPU device' };
  const result = await tryWebgpu(force);
  // Keep the reason short: it may end up inside the one-line backend description.
  if (!result.ok) return { ok: false, why: force ? result.detail : `webgpu: ${result.detail.split('; ')[0]}` };
  return { ok: true, info: { name: 'webgpu', detail: result.detail, accelerations: [] } };
}

async function tryWasm(): Promise<Attempt> {
  const set = await setBackendExplained('wasm');
  if (!set.ok) return { ok: false, why: `wasm failed: ${set.why}` };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const wasm = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm;
  const threads = wasm.tfjs.getThreadsCount();
  const accelerations = installWasmKernelFixes();
  const note = nativeBlasNote();
  const detail = `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${note ? `; ${note}` : ''})`;
  return { ok: true, info: { name: 'wasm', detail, accelerations } };
}

async function tryCpu(): Promise<Attempt> {
  const set = await setBackendExplained('cpu');
  if (!set.ok) return { ok: false, why: `cpu failed: ${set.why}` };
  return { ok: true, info: { name: 'cpu', detail: 'cpu (plain JavaScript)', accelerations: [] } };
}

function attempt(name: BackendName, forced: boolean): Promise<Attempt> {
  switch (name) {
    case 'tensorflow':
      return tryTensorflow();
    case 'webgpu':
      return tryWebgpuBackend(forced);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

/** Append why the better backends were skipped: "wasm (SIMD, 1 thread)" -> "wasm (SIMD, 1 thread; tfjs-node not installed)". */
function withSkipped(detail: string, skipped: string[]): string {
  if (skipped.length === 0) return detail;
  const note = skipped.join('; ');
  return detail.endsWith(')') ? `${detail.slice(0, -1)}; ${note})` : `${detail} (${note})`;
}

function parseBackendName(value: string, source: string): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`${source} must be one of ${BACKEND_NAMES.join(', ')} or auto (got '${value}')`);
}

async function start(preferred: BackendName | 'auto'): Promise<BackendInfo> {
  let forced: BackendName | null = preferred === 'auto' ? null : parseBackendName(preferred, '--backend');
  const fromEnv = process.env.INKLING_BACKEND?.trim();
  if (!forced && fromEnv && fromEnv.toLowerCase() !== 'auto') forced = parseBackendName(fromEnv, 'INKLING_BACKEND');
  if (forced) {
    const result = await attempt(forced, true);
    if (!result.ok) throw new Error(`cannot use the ${forced} backend: ${result.why}${HINTS[forced] ?? ''}`);
    return result.info;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const result = await attempt(name, false);
    if (result.ok) return { ...result.info, detail: withSkipped(result.info.detail, skipped) };
    skipped.push(result.why);
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}

let current: { preferred: BackendName | 'auto'; info: Promise<BackendInfo>; name?: BackendName } | null = null;

/**
 * Start the best (or the given) backend once. Later calls return the same info, unless they name another backend
 * explicitly, which switches to it. Throws a one-line Error when a forced backend cannot start.
 */
export async function initBackend(preferred: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  if (current && (preferred === 'auto' || preferred === current.preferred || preferred === current.name)) return current.info;
  if (current?.name === 'webgpu') releaseWebgpu();
  const entry: NonNullable<typeof current> = { preferred, info: start(preferred) };
  current = entry;
  entry.info.then(
    (info) => (entry.name = info.name),
    () => {
      if (current === entry) current = null; // a failed start may be retried
    },
  );
  return entry.info;
}

/** The one line that names the backend in use, e.g. "backend: wasm (SIMD, 1 thread; tfjs-node not installed) + transpose-matmul". */
export function describeBackend(info: BackendInfo): string {
  const extras = info.accelerations.length > 0 ? ` + ${info.accelerations.join(', ')}` : '';
  return `backend: ${info.detail}${extras}`;
}

/**
 * The first screen's one line: the backend with its threads, and the BLAS library if native BLAS is on,
 * e.g. "backend: wasm (SIMD, 1 thread) + OpenBLAS". The full list (describeBackend) is in /show.
 */
export function describeBackendBriefly(info: BackendInfo): string {
  const settings = /^[^(]*\(([^;)]*)/.exec(info.detail)?.[1];
  const base = info.name === 'webgpu' ? info.detail.split(';')[0]! : `${info.name}${settings ? ` (${settings})` : ''}`;
  const blas = info.accelerations.find((a) => a.startsWith('native-blas'));
  const library = blas ? /\(([^\s,)]+)/.exec(blas)?.[1] ?? 'BLAS' : null;
  return `backend: ${base}${library ? ` + ${library}` : ''}`;
}

/** The short label of the status bar: the backend, its GPU adapter, and whether native BLAS is on. */
export function backendLabel(info: BackendInfo): string {
  if (info.name === 'webgpu') return info.detail;
  const blas = info.accelerations.some((a) => a.startsWith('native-blas'));
  return blas ? `${info.name} + BLAS` : info.name;
}
