/**
 * A small mergeable latency histogram: 0.1 ms buckets below 100 ms, then 1 % wider buckets
 * (to ~10 minutes). Percentiles are accurate to the bucket; max is exact. Child processes send
 * theirs as JSON and the parent merges them, instead of shipping every sample.
 */
export type HistogramJson = { counts: Record<string, number>; n: number; max: number; sum: number };

const LINEAR_MS = 100;
const LINEAR_STEP = 0.1;
const LINEAR_BUCKETS = LINEAR_MS / LINEAR_STEP;
const GROWTH = Math.log(1.01);

function bucketOf(ms: number): number {
  if (ms < LINEAR_MS) return Math.max(0, Math.floor(ms / LINEAR_STEP));
  return LINEAR_BUCKETS + Math.floor(Math.log(ms / LINEAR_MS) / GROWTH);
}

/** The upper edge of a bucket: percentiles err on the slow side. */
function upperOf(b: number): number {
  if (b < LINEAR_BUCKETS) return (b + 1) * LINEAR_STEP;
  return LINEAR_MS * Math.exp((b - LINEAR_BUCKETS + 1) * GROWTH);
}

export class Histogram {
  private counts = new Map<number, number>();
  n = 0;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.n++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram | HistogramJson): this {
    const o = other instanceof Histogram ? other.toJSON() : other;
    for (const [k, v] of Object.entries(o.counts)) this.counts.set(+k, (this.counts.get(+k) ?? 0) + v);
    this.n += o.n;
    this.sum += o.sum;
    this.max = Math.max(this.max, o.max);
    return this;
  }

  percentile(q: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((a, c) => a - c)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return Math.min(upperOf(b), this.max);
    }
    return this.max;
  }

  summary(): { n: number; p50: number | null; p99: number | null; max: number | null; mean: number | null } {
    return {
      n: this.n,
      p50: round(this.percentile(0.5)),
      p99: round(this.percentile(0.99)),
      max: this.n ? round(this.max) : null,
      mean: this.n ? round(this.sum / this.n) : null,
    };
  }

  toJSON(): HistogramJson {
    return { counts: Object.fromEntries(this.counts), n: this.n, max: this.max, sum: this.sum };
  }

  static from(json: HistogramJson): Histogram {
    return new Histogram().merge(json);
  }
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
