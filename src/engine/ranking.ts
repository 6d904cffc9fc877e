// The sampler's ranking of a vocabulary: what top-k and top-p keep, without sorting it all.

/**
 * Ids ordered lazily by (logit desc, id asc) through in-place quickselect partitions: position i holds the i-th
 * ranked id once a query has pinned it, and every id before it ranks before it.
 */
export class Ranking {
  constructor(
    private readonly logits: Float32Array,
    private readonly weights: Float64Array,
    private readonly ids: Int32Array,
  ) {}

  private before(a: number, b: number): boolean {
    const la = this.logits[a];
    const lb = this.logits[b];
    return la > lb || (la === lb && a < b);
  }

  /** Partition ids[lo, hi) around its middle element; returns the pivot's final position. */
  private partition(lo: number, hi: number): number {
    const ids = this.ids;
    const mid = (lo + hi) >>> 1;
    const pivot = ids[mid];
    ids[mid] = ids[hi - 1];
    ids[hi - 1] = pivot;
    let store = lo;
    for (let i = lo; i < hi - 1; i++) {
      if (this.before(ids[i], pivot)) {
        const t = ids[i];
        ids[i] = ids[store];
        ids[store++] = t;
      }
    }
    ids[hi - 1] = ids[store];
    ids[store] = pivot;
    return store;
  }

  /** Puts the k top-ranked ids in positions [0, k). */
  partitionTop(k: number): void {
    let lo = 0;
    let hi = this.ids.length;
    while (hi - lo > 1) {
      const p = this.partition(lo, hi);
      if (p === k || p === k - 1) return;
      if (p > k) hi = p;
      else lo = p + 1;
    }
  }

  mass(from: number, to: number): number {
    let sum = 0;
    for (let i = from; i < to; i++) sum += this.weights[this.ids[i]];
    return sum;
  }

  /**
   * Position of the first ranked id among positions [0, count) at which the running mass reaches `target`
   * (the last one if it never does); all positions before it then hold the ids ranked before it.
   */
  prefixReaching(target: number, count: number): number {
    let lo = 0;
    let hi = count;
    let left = target;
    for (;;) {
      if (hi - lo === 1) return lo;
      const p = this.partition(lo, hi);
      const below = this.mass(lo, p);
      if (below >= left && p > lo) {
        hi = p;
      } else {
        left -= below + this.weights[this.ids[p]];
        if (left <= 0 || p === hi - 1) return p;
        lo = p + 1;
      }
    }
  }
}
