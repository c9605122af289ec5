import type { Status } from '../../shared/http.ts';
import type { Projector } from '../history/projector.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { PipelineQueue } from '../pipeline/queue.ts';
import { redisErrorStats } from './redis-errors.ts';

/** The figures of `GET /api/v1/status` that are not this process's own feed and event loop. */
export type SharedStatus = Omit<Status, 'feed' | 'eventLoopDelayMs' | 'rssMb'>;

/**
 * How the log, the pipeline, the hot set and the projection are doing, for operators and
 * benchmarks. It reads across capabilities (types only), which is why it sits beneath them.
 */
export class StatusService {
  constructor(
    private readonly store: Pick<EventStore, 'headSeq' | 'oldestSeq'>,
    private readonly state: Pick<StateRepository, 'hotSetSizes'>,
    private readonly queue: Pick<PipelineQueue, 'counts' | 'failedJobs'>,
    /** Null where no projector runs in this process. */
    private readonly projector: Pick<Projector, 'status'> | null,
    /** HISTORY_LAG_ALARM: the projection lag at which the wall raises its alarm. */
    private readonly historyLagAlarm: number,
  ) {}

  async status(): Promise<SharedStatus> {
    const pipeline = await this.queue.counts();
    return {
      headSeq: await this.store.headSeq(),
      oldestSeq: await this.store.oldestSeq(),
      pipeline,
      /** What Redis holds: the working set (the archive sweep keeps it so) and the tombstones. */
      hotSet: await this.state.hotSetSizes(),
      /** Jobs that will not run again (refused payloads, unknown cameras …): `GET /api/v1/failed-jobs`. */
      failedJobs: pipeline.failed ?? 0,
      /** Redis/BullMQ connection errors seen by this process, by connection (never swallowed). */
      redisErrors: redisErrorStats(),
      /**
       * The projection into the database: `alarm` once `lag` reaches `lagAlarm` (HISTORY_LAG_ALARM);
       * the wall shows it, and shows `healthy: false` (the database errs or does not answer).
       */
      history: this.projector
        ? await this.projector.status().then((st) => ({
            ...st,
            lagAlarm: this.historyLagAlarm,
            alarm: st.lag >= this.historyLagAlarm,
          }))
        : null,
    };
  }

  /** The most recent jobs the pipeline gave up on, newest first. */
  failedJobs(limit: number) {
    return this.queue.failedJobs(limit);
  }
}
