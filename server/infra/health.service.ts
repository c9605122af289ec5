import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Health as HealthSchema } from '../../shared/http.ts';
import type { ProjectorStatus } from '../history/projector.ts';
import { REDIS_RETRY_AFTER_S } from './redis-errors.ts';

type Health = z.infer<typeof HealthSchema>;

/** What `/healthz` answers: healthy with the projection's figures, or when to try again. */
export type HealthAnswer = { ok: true; health: Health } | { ok: false; retryAfterS: number };

/** Whether this process's Redis answers, and how far the record is behind (the projector's view). */
export class HealthService {
  constructor(
    private readonly redis: Pick<Redis, 'status' | 'ping'>,
    /** Null where no projector runs in this process. */
    private readonly projector: { status(): Promise<ProjectorStatus> } | null,
    /** The Redis command timeout: a frozen Redis fails the check within the same bound as a request. */
    private readonly timeoutMs: number,
  ) {}

  async check(): Promise<HealthAnswer> {
    // Not connected: no need to wait for a PING to fail. Connected: a frozen Redis must fail the
    // check within the same bound as any request (the connection's commandTimeout, and this race
    // in case a connection was built without one).
    if (this.redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      try {
        const pong = await Promise.race([
          this.redis.ping(),
          new Promise<string>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
          }),
        ]);
        // Still healthy with the database down: intake and the feed go on (the stream keeps what
        // is not yet projected); the history part says how far behind the record is.
        if (pong === 'PONG') return { ok: true, health: { status: 'ok', history: await this.history() } };
      } catch {
        // fall through
      } finally {
        clearTimeout(timer);
      }
    }
    return { ok: false, retryAfterS: REDIS_RETRY_AFTER_S };
  }

  private async history(): Promise<Health['history']> {
    if (!this.projector) return null;
    const st = await this.projector.status();
    return { healthy: st.healthy, lag: st.lag, projectedSeq: st.projectedSeq };
  }
}
