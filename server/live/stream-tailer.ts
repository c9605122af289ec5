import type { Redis } from 'ioredis';
import type { LiveEvent } from '../../shared/protocol.ts';

/**
 * Follows the event stream with a blocking XREAD on its own connection. Every server process runs
 * one, which is what lets any number of processes serve the same feed.
 */
export class StreamTailer {
  private running = true;
  private done: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    private readonly onEvents: (events: LiveEvent[]) => void,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(afterSeq: number): void {
    this.done = this.loop(afterSeq);
  }

  private async loop(afterSeq: number): Promise<void> {
    let last = `${afterSeq}-0`;
    while (this.running) {
      try {
        const res = (await this.redis.xread(
          'COUNT',
          5000,
          'BLOCK',
          2000,
          'STREAMS',
          this.streamKey,
          last,
        )) as [string, [string, string[]][]][] | null;
        if (!res) continue;
        const rows = res[0][1];
        if (rows.length === 0) continue;
        last = rows[rows.length - 1][0];
        this.onEvents(rows.map(([, f]) => JSON.parse(f[1]) as LiveEvent));
      } catch (err) {
        if (!this.running) return;
        this.onError(err);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.done?.catch(() => undefined);
  }
}
