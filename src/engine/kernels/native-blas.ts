/**
 * Loads the optional native BLAS addon (native/; found or built once by native-build.ts) and opens a system BLAS
 * through it. Anything missing turns it off with one line saying what and how to get it. INKLING_NATIVE=0
 * disables it; INKLING_BLAS_LIBRARY names the library to open (any CBLAS); INKLING_BLAS_THREADS fixes OpenBLAS's
 * threads, else blas-thread-policy.ts picks per product and training runs choose by measuring (blas-threads.ts).
 */
import { createRequire } from 'node:module';
import { firstLine } from '../first-line.js';
import { type PolicyBlas, type ThreadPolicy, threadPolicyFrom, withThreadPolicy } from './blas-thread-policy.js';
import { type AddonPlaces, defaultAddonPlaces, locateAddon } from './native-build.js';

export interface BlasAddon {
  open(paths: string[]): string | null;
  config(): string;
  setThreads(threads: number): boolean;
  gemm(heap: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number, aOffsets: Uint32Array, bOffsets: Uint32Array, cOffsets: Uint32Array): void;
  columnSums(heap: ArrayBuffer, rows: number, cols: number, aOffset: number, yOffset: number): void;
  /** int8 rows times x (kernels/decode/q8.ts); absent in addons built before it. */
  q8matmul?(heap: ArrayBuffer, m: number, n: number, k: number, xOffset: number, wOffset: number, scaleOffset: number, yOffset: number): void;
}

export type NativeStatus = { blas: PolicyBlas | null; note: string };

const LIBRARIES: Record<string, string[]> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libcblas.so.3', 'libblas.so.3', 'libmkl_rt.so'],
  darwin: [
    '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
    '/usr/local/opt/openblas/lib/libopenblas.dylib',
  ],
};

const HOW_TO_GET_BLAS: Record<string, string> = {
  linux: 'Debian/Ubuntu: apt-get install libopenblas0',
  darwin: 'Accelerate should always be there',
};

function describeLibrary(path: string, config: string, { rows, block }: ThreadPolicy, threadsSet: boolean): string {
  // "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64" -> "OpenBLAS 0.3.21 Haswell"
  const words = config.split(/\s+/).filter((w) => w && !/^(DYNAMIC_ARCH|NO_AFFINITY|NO_LAPACKE?|NO_CBLAS|USE_OPENMP|MAX_THREADS=.*)$/.test(w));
  const name = words.length > 0 ? words.join(' ') : path.includes('Accelerate') ? 'Accelerate' : path.split('/').pop()!;
  const threads = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  if (!threadsSet) return name;
  if (block === 'auto') return `${name}, ${threads(rows)} decoding, 1-2 by load for prompts`;
  return rows === block ? `${name}, ${threads(rows)}` : `${name}, ${threads(block)} (${rows} decoding)`;
}

let status: NativeStatus | null = null;
let description = '';

/** Load once; later calls return the same status. */
export function loadNativeBlas(): NativeStatus {
  if (status) return status;
  status = probeNativeBlas(process.env);
  return status;
}

/** e.g. "OpenBLAS 0.3.21 Haswell, 1 thread" once loaded, else "". */
export function nativeBlasDescription(): string {
  return description;
}

/** Try to load without caching (tests use it with a custom environment). */
export function probeNativeBlas(env: NodeJS.ProcessEnv, places: AddonPlaces = defaultAddonPlaces()): NativeStatus {
  if (env.INKLING_NATIVE === '0') return { blas: null, note: 'native matmul off (INKLING_NATIVE=0)' };
  const candidates = env.INKLING_BLAS_LIBRARY ? [env.INKLING_BLAS_LIBRARY] : LIBRARIES[process.platform];
  if (!candidates) return { blas: null, note: `native matmul off (no BLAS support on ${process.platform})` };
  const found = locateAddon(places);
  if ('note' in found) return { blas: null, note: found.note };
  let addon: BlasAddon;
  try {
    addon = createRequire(import.meta.url)(found.path) as BlasAddon;
  } catch (err) {
    const why = firstLine(err, '', 120);
    return { blas: null, note: `native matmul off: addon ${found.path} failed to load (${why}; remove it to build it again)` };
  }
  const opened = addon.open(candidates);
  if (!opened) {
    const how = env.INKLING_BLAS_LIBRARY ? `INKLING_BLAS_LIBRARY=${env.INKLING_BLAS_LIBRARY} has no cblas_sgemm` : HOW_TO_GET_BLAS[process.platform];
    return { blas: null, note: `native matmul off: no BLAS library found (${how})` };
  }
  const blas = withThreadPolicy(addon, threadPolicyFrom(env));
  description = describeLibrary(opened, addon.config(), blas.policy, blas.controllable);
  return { blas, note: '' };
}
