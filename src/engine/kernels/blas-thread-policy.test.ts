import { describe, expect, it } from 'vitest';
import { type MachineLoad, threadPolicyFrom, withThreadPolicy } from './blas-thread-policy.js';
import type { BlasAddon } from './native-blas.js';

/** An addon that records the thread count in force at each product. */
function fakeAddon(controllable = true) {
  let threads = 0;
  const seen: Array<[string, number, number]> = [];
  const addon: BlasAddon = {
    open: () => 'fake',
    config: () => '',
    setThreads: (n) => {
      threads = n;
      return controllable;
    },
    gemm: (_heap, _ta, _tb, m) => void seen.push(['gemm', m, threads]),
    columnSums: () => void seen.push(['columnSums', 0, threads]),
    q8matmul: (_heap, m) => void seen.push(['q8', m, threads]),
  };
  return { addon, seen };
}

const heap = new ArrayBuffer(4);
const none = new Uint32Array(0);

describe('BLAS thread policy', () => {
  it('runs one-row products on the row count and products of several rows on the block count', () => {
    const { addon, seen } = fakeAddon();
    const blas = withThreadPolicy(addon, { rows: 1, block: 2 });
    blas.gemm(heap, false, false, 1, 8, 8, none, none, none);
    blas.gemm(heap, false, true, 256, 8, 8, none, none, none);
    blas.q8matmul!(heap, 1, 8, 8, 0, 0, 0, 0);
    blas.q8matmul!(heap, 16, 8, 8, 0, 0, 0, 0);
    blas.columnSums(heap, 4, 4, 0, 0);
    expect(seen).toEqual([['gemm', 1, 1], ['gemm', 256, 2], ['q8', 1, 1], ['q8', 16, 2], ['columnSums', 0, 2]]);
  });

  it('lets a training run set the block count, and restores the policy after it', () => {
    const { addon, seen } = fakeAddon();
    const blas = withThreadPolicy(addon, { rows: 1, block: 2 });
    expect(blas.setThreads(1)).toBe(true);
    blas.gemm(heap, false, false, 64, 8, 8, none, none, none);
    blas.gemm(heap, false, false, 1, 8, 8, none, none, none);
    blas.restoreThreads();
    blas.gemm(heap, false, false, 64, 8, 8, none, none, none);
    expect(seen.map((s) => s[2])).toEqual([1, 1, 2]);
    expect(blas.policy).toEqual({ rows: 1, block: 2 });
  });

  it('says when the library has no thread control', () => {
    expect(withThreadPolicy(fakeAddon(false).addon, { rows: 1, block: 2 }).controllable).toBe(false);
    expect(withThreadPolicy(fakeAddon(true).addon, { rows: 1, block: 2 }).controllable).toBe(true);
  });

  it('takes INKLING_BLAS_THREADS for both counts, else 1 when decoding and up to 2 for blocks', () => {
    expect(threadPolicyFrom({ INKLING_BLAS_THREADS: '3' }, 8)).toEqual({ rows: 3, block: 3 });
    expect(threadPolicyFrom({}, 8)).toEqual({ rows: 1, block: 'auto' });
    expect(threadPolicyFrom({}, 1)).toEqual({ rows: 1, block: 1 });
    expect(threadPolicyFrom({ INKLING_BLAS_THREADS: 'many' }, 2)).toEqual({ rows: 1, block: 'auto' });
  });

  it('on auto, gives blocks a second thread only while the load average leaves a core idle, reading it at most once a second', () => {
    const { addon, seen } = fakeAddon();
    const host: MachineLoad & { at: number; avg: number } = { cores: 2, at: 0, avg: 1.0, load: () => host.avg, now: () => host.at };
    const blas = withThreadPolicy(addon, { rows: 1, block: 'auto' }, host);
    const block = () => blas.gemm(heap, false, false, 128, 8, 8, none, none, none);
    block(); // idle machine but for this process: 2
    host.avg = 6;
    host.at = 500;
    block(); // the load is not read again yet: still 2
    host.at = 1500;
    block(); // busy: 1
    blas.gemm(heap, false, false, 1, 8, 8, none, none, none); // decoding: 1 whatever the load
    host.avg = 1.2;
    host.at = 3000;
    block(); // quiet again: 2
    expect(seen.map((s) => s[2])).toEqual([2, 2, 1, 1, 2]);
  });
});
