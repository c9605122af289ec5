import type { Rng } from './prng.ts';

/**
 * The centre's real daily volumes (DOMAIN.md, figures of 2022 for one district), as the streams
 * the simulator posts. Footage retrievals and dispatch counts are not intake, so they are left out.
 */
export type StreamName = 'appeal' | 'video' | 'community' | 'grid' | 'emergency';

export const DAILY_RATES: Record<StreamName, number> = {
  /** appeals triaged and forwarded: 38,490 a year */
  appeal: 38_490 / 365,
  /** problems found by video: 65,207 a year */
  video: 65_207 / 365,
  /** community concerns logged: 12,607 a year */
  community: 12_607 / 365,
  /** cases circulating between the three levels of the grid: 8,676 a year */
  grid: 8_676 / 365,
  /** emergencies handled: 646 a year */
  emergency: 646 / 365,
};

export const STORM_FACTOR = 50;

/**
 * Hour-of-day weights (mean 1): hotline and grid work follow office hours, with a quieter night.
 * The daily total is unchanged; only its spread over the day.
 */
const HOURLY_SHAPE = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.35, 0.6, 1.0, 1.4, 1.6, 1.6, 1.4, 1.1, 1.2, 1.5, 1.6, 1.5, 1.4, 1.2, 1.1, 1.0,
  0.8, 0.6, 0.4,
];
const SHAPE_MEAN = HOURLY_SHAPE.reduce((a, b) => a + b, 0) / HOURLY_SHAPE.length;
export const HOURLY_WEIGHTS = HOURLY_SHAPE.map((w) => w / SHAPE_MEAN);
const MAX_WEIGHT = Math.max(...HOURLY_WEIGHTS);

/** Multiplier of the mean rate at a simulated second of the day (0 = midnight). */
export function diurnal(simSecondOfDay: number): number {
  const hour = Math.floor((((simSecondOfDay % 86_400) + 86_400) % 86_400) / 3600);
  return HOURLY_WEIGHTS[hour];
}

export type RateOptions = { storm?: boolean; flat?: boolean };

/** Mean events per simulated second for a stream. */
export function perSecond(stream: StreamName, opts: RateOptions = {}): number {
  return (DAILY_RATES[stream] / 86_400) * (opts.storm ? STORM_FACTOR : 1);
}

/**
 * Arrivals of one stream as a non-homogeneous Poisson process, by thinning: draw candidates at the
 * peak rate and keep each with probability rate(t)/peak. Times are simulated seconds since the
 * simulated midnight, starting at `from`.
 */
export class ArrivalProcess {
  private nextAt: number;
  private readonly peak: number;

  constructor(
    readonly stream: StreamName,
    private readonly rng: Rng,
    from: number,
    private readonly opts: RateOptions = {},
  ) {
    this.peak = perSecond(stream, opts) * (opts.flat ? 1 : MAX_WEIGHT);
    this.nextAt = from;
    this.advance();
  }

  /** The time of the next arrival (simulated seconds). */
  peek(): number {
    return this.nextAt;
  }

  /** Takes the next arrival time and draws the one after. */
  take(): number {
    const t = this.nextAt;
    this.advance();
    return t;
  }

  private advance(): void {
    let t = this.nextAt;
    for (;;) {
      t += this.rng.exponential(this.peak);
      const keep = this.opts.flat ? 1 : diurnal(t) / MAX_WEIGHT;
      if (this.rng.next() < keep) break;
    }
    this.nextAt = t;
  }
}
