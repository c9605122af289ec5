import type { Projector } from './projector.ts';

/**
 * Watches the projection's lag and says so once per episode: a warning when it reaches the
 * threshold (HISTORY_LAG_ALARM), a line when it is back under. `/api/v1/status` reports the same
 * condition as `alarm`; this only keeps the log from repeating it every few seconds.
 */
export class LagAlarm {
  private timer: NodeJS.Timeout | null = null;
  private raised = false;

  constructor(
    private readonly projector: Projector,
    private readonly threshold: number,
    private readonly log: { warn(msg: string): void; info(msg: string): void },
    private readonly everyMs = 5_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.everyMs);
    this.timer.unref();
  }

  /** One look; returns whether the alarm is raised. */
  async check(): Promise<boolean> {
    const st = await this.projector.status();
    const alarm = st.lag >= this.threshold;
    if (alarm && !this.raised)
      this.log.warn(
        `history: ${st.lag} events not yet in the database (alarm at ${this.threshold}; ` +
          `projected ${st.projectedSeq} of ${st.headSeq}${st.lastError ? `; last error: ${st.lastError}` : ''}). ` +
          'They are safe in Redis meanwhile, which grows until the database takes them.',
      );
    else if (!alarm && this.raised)
      this.log.info(`history: the projection is back under ${this.threshold} events behind`);
    this.raised = alarm;
    return alarm;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
