/** Counters of a simulator run and the one-line progress shown while it runs. */
export class RunStats {
  posted = 0;
  accepted = 0;
  errors = 0;
  retried = 0;
  incidents = 0;
  videoAlerts = 0;
  resourceMoves = 0;
  resourceRefusals = 0;
  readonly errorsByStatus = new Map<string, number>();
  /** Recent intake latencies; a bounded window, so a long run does not grow memory. */
  private latencies: number[] = [];
  private readonly started = performance.now();

  record(kind: 'incident' | 'video', status: number, ms: number, retries: number): void {
    this.posted++;
    if (kind === 'incident') this.incidents++;
    else this.videoAlerts++;
    if (retries > 0) this.retried++;
    if (status === 202) {
      this.accepted++;
      this.latencies.push(ms);
      if (this.latencies.length > 2000) this.latencies.splice(0, 1000);
    } else this.error(String(status));
  }

  error(what: string): void {
    this.errors++;
    this.errorsByStatus.set(what, (this.errorsByStatus.get(what) ?? 0) + 1);
  }

  get elapsedS(): number {
    return (performance.now() - this.started) / 1000;
  }

  p50(): number | null {
    return percentile(this.latencies, 0.5);
  }

  line(simClock: string): string {
    const rate = this.posted / Math.max(0.001, this.elapsedS);
    const p50 = this.p50();
    return (
      `[sim ${simClock}] posted ${this.posted} (${this.incidents} reports, ${this.videoAlerts} video) ` +
      `accepted ${this.accepted} errors ${this.errors} retried ${this.retried} · ${rate.toFixed(1)}/s · ` +
      `p50 ${p50 === null ? '–' : p50.toFixed(1) + ' ms'} · resource moves ${this.resourceMoves}`
    );
  }
}

export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** "09:41" for a simulated second of the day; days beyond the first show as "+1d 09:41". */
export function simClock(simSecond: number): string {
  const day = Math.floor(simSecond / 86_400);
  const s = simSecond - day * 86_400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  return `${day > 0 ? `+${day}d ` : ''}${hh}:${mm}`;
}

/** On a terminal the line updates in place; in a log, one line every `everyS` seconds. */
export class ProgressPrinter {
  private lastPrint = 0;
  constructor(
    private readonly tty: boolean,
    private readonly everyS = 10,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  show(line: string, nowS: number): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${line}`);
    } else if (nowS - this.lastPrint >= this.everyS) {
      this.lastPrint = nowS;
      this.out.write(line + '\n');
    }
  }

  done(): void {
    if (this.tty) this.out.write('\n');
  }
}
