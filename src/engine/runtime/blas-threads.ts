// How many threads the native BLAS uses while a run trains. A second thread pays only when the other core is
// idle and the step is matmul-heavy (figures: bench/RESULTS.md, "Figures moved out of source comments"), so a
// run measures both settings in alternating blocks and keeps the faster one.
import { cpus } from 'node:os';
import { nativeBlas } from '../kernels/native-matmul.js';

/** Steps ignored at the start (and after an eval) while caches and the heap warm up. */
const WARMUP_STEPS = 3;
/** Steps per block of one setting; blocks alternate so that load changes hit both settings alike. */
const BLOCK_STEPS = 3;
const ROUNDS = 2;
/** More threads must be this much faster to be kept: they also take a core from everything else. */
const MARGIN = 0.05;
/** Steps between trials: the machine's load changes. */
const HOLD_STEPS = 300;

export interface ThreadTrial {
  threads: number;
  msPerStep: Record<number, number>;
}

/**
 * Picks among thread counts by measuring step times. Feed it each step's duration; it calls `apply` with the
 * count for the next steps. The fewest threads win unless more are faster by MARGIN.
 */
export class ThreadTuner {
  /** A trial starts once the first warm-up steps are skipped. */
  private phase: 'trial' | 'hold' = 'trial';
  private stepsInPhase = 0;
  private skip = WARMUP_STEPS;
  private schedule: number[] = [];
  private times = new Map<number, number[]>();
  private chosen: number;
  lastTrial: ThreadTrial | null = null;

  constructor(
    private readonly choices: number[],
    private readonly apply: (threads: number) => void,
  ) {
    this.chosen = choices[0];
    this.startTrial();
  }

  get threads(): number {
    return this.chosen;
  }

  /** Call after every training step with its duration in ms. */
  recordStep(ms: number): void {
    if (this.skip > 0) {
      this.skip--;
      if (this.skip === 0 && this.phase === 'trial') this.startTrial();
      return;
    }
    this.stepsInPhase++;
    if (this.phase === 'trial') {
      const threads = this.schedule[this.stepsInPhase - 1];
      this.times.get(threads)!.push(ms);
      if (this.stepsInPhase >= this.schedule.length) this.decide();
      else this.apply(this.schedule[this.stepsInPhase]);
    } else if (this.stepsInPhase >= HOLD_STEPS) {
      this.startTrial();
    }
  }

  /** Evaluation and saving disturb the next step times: skip a warm-up, and redo a trial they cut into. */
  interrupted(): void {
    this.skip = WARMUP_STEPS;
    if (this.phase === 'trial') this.apply(this.schedule[0]);
  }

  private startTrial(): void {
    this.phase = 'trial';
    this.stepsInPhase = 0;
    this.times = new Map(this.choices.map((c) => [c, []]));
    this.schedule = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? this.choices : [...this.choices].reverse();
      for (const threads of order) for (let i = 0; i < BLOCK_STEPS; i++) this.schedule.push(threads);
    }
    this.apply(this.schedule[0]);
  }

  private decide(): void {
    const msPerStep: Record<number, number> = {};
    for (const [threads, times] of this.times) msPerStep[threads] = Math.round(median(times) * 10) / 10;
    let best = this.choices[0];
    for (const threads of this.choices) {
      if (msPerStep[threads] < msPerStep[best] * (1 - MARGIN)) best = threads;
    }
    this.chosen = best;
    this.lastTrial = { threads: best, msPerStep };
    this.apply(best);
    this.phase = 'hold';
    this.stepsInPhase = 0;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let lastTrial: ThreadTrial | null = null;

/** The last decision a training run made (for the benchmark's JSON), or null. */
export function lastBlasThreadTrial(): ThreadTrial | null {
  return lastTrial;
}

/**
 * A tuner for this run when it can matter: native BLAS on, two or more cores, and no INKLING_BLAS_THREADS
 * (which fixes the count). The returned `finish` puts the process back on its default counts.
 */
export function tuneBlasThreadsForRun(env: NodeJS.ProcessEnv = process.env): { tuner: ThreadTuner; finish: () => void } | null {
  const blas = nativeBlas(); // set only while the wasm backend runs with the native accelerator
  const cores = cpus().length;
  lastTrial = null;
  if (!blas || env.INKLING_BLAS_THREADS !== undefined || cores < 2) return null;
  const tuner = new ThreadTuner([1, 2], (threads) => blas.setThreads(threads));
  return {
    tuner,
    finish: () => {
      lastTrial = tuner.lastTrial;
      blas.restoreThreads();
    },
  };
}
