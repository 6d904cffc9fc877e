/**
 * How many OpenBLAS threads each product gets. A one-row product (every decoded token) reads the weights once and
 * is bound by memory: it stays on `rows` threads (1 by default; more threads spin-wait and lose under load). A
 * product of many rows (a prompt's prefill, a training step) is bound by arithmetic: a second thread makes it
 * faster when a core is idle and slower when the machine is busy (a descheduled thread stalls the whole product;
 * bench/RESULTS.md has the A/B). So by default `block` is 'auto': 2 threads while the 1-minute load average leaves
 * a core idle, else 1. setThreads() fixes `block`, as a training run's tuner does (runtime/blas-threads.ts).
 */
import { cpus, loadavg } from 'node:os';
import type { BlasAddon } from './native-blas.js';

export interface ThreadPolicy {
  rows: number;
  block: number | 'auto';
}

/** INKLING_BLAS_THREADS=N fixes both counts; else one-row products on 1 thread and blocks by the load (one core: 1). */
export function threadPolicyFrom(env: NodeJS.ProcessEnv, cores = cpus().length): ThreadPolicy {
  const requested = Number.parseInt(env.INKLING_BLAS_THREADS ?? '', 10);
  if (Number.isInteger(requested) && requested > 0) return { rows: requested, block: requested };
  return { rows: 1, block: cores >= 2 ? 'auto' : 1 };
}

/** What 'auto' reads: the core count and the 1-minute load average (which counts this process while it computes). */
export interface MachineLoad {
  cores: number;
  load(): number;
  now(): number;
}

const machine: MachineLoad = { cores: cpus().length, load: () => loadavg()[0], now: () => Date.now() };

/** The load average moves slowly; read it at most this often. */
const LOAD_CHECK_MS = 1000;
/** A second thread is used while the load average leaves at least this much of a core idle (this process included). */
const IDLE_CORE = 0.5;

export type PolicyBlas = BlasAddon & {
  /** The counts in force now (the tuner may have changed `block`). */
  readonly policy: ThreadPolicy;
  /** False for a library without thread control (not OpenBLAS): the counts are then ignored. */
  readonly controllable: boolean;
  /** Back to the counts the policy started with (after a training run's tuning). */
  restoreThreads(): void;
};

/** The addon with each call run on the policy's thread count. */
export function withThreadPolicy(addon: BlasAddon, initial: ThreadPolicy, host: MachineLoad = machine): PolicyBlas {
  const policy = { ...initial };
  const controllable = addon.setThreads(initial.rows);
  let applied = initial.rows;
  let checked = -Infinity;
  let autoThreads = 1;
  const blockThreads = () => {
    if (policy.block !== 'auto') return policy.block;
    if (host.now() - checked >= LOAD_CHECK_MS) {
      checked = host.now();
      autoThreads = host.cores - host.load() >= IDLE_CORE ? 2 : 1;
    }
    return autoThreads;
  };
  const use = (threads: number) => {
    if (threads === applied) return;
    addon.setThreads(threads);
    applied = threads;
  };
  const forRows = (m: number) => use(m === 1 ? policy.rows : blockThreads());
  const wrapped: PolicyBlas = {
    policy,
    controllable,
    open: (paths) => addon.open(paths),
    config: () => addon.config(),
    setThreads: (threads) => {
      policy.block = threads;
      return controllable;
    },
    restoreThreads: () => {
      policy.block = initial.block;
      policy.rows = initial.rows;
    },
    gemm: (heap, ta, tb, m, n, k, ao, bo, co) => {
      forRows(m);
      addon.gemm(heap, ta, tb, m, n, k, ao, bo, co);
    },
    columnSums: (heap, rows, cols, a, y) => {
      use(blockThreads());
      addon.columnSums(heap, rows, cols, a, y);
    },
  };
  if (addon.q8matmul) {
    const q8 = addon.q8matmul.bind(addon);
    wrapped.q8matmul = (heap, m, n, k, x, w, s, y) => {
      forRows(m);
      q8(heap, m, n, k, x, w, s, y);
    };
  }
  return wrapped;
}
