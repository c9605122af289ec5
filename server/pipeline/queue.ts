import { DelayedError, Queue, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { JobName } from './registry.ts';
import { JobRegistry } from './registry.ts';
import { countError } from '../infra/metrics.ts';
import { isRedisUnavailable, redisErrors, type RedisErrorLog } from '../infra/redis-errors.ts';
import { redisOptions } from '../infra/redis.ts';

export const PIPELINE_QUEUE = 'pipeline';

const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 200 },
  // Completed jobs are not needed: idempotency lives in the commit, not in BullMQ.
  removeOnComplete: { age: 600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** How long a request may wait on Redis before it is answered 503 (REDIS_TIMEOUT_MS). */
export const DEFAULT_REDIS_TIMEOUT_MS = 500;

function connection(url: string, worker: false, timeoutMs: number): ConnectionOptions;
function connection(url: string, worker: true): ConnectionOptions;
function connection(url: string, worker: boolean, timeoutMs = DEFAULT_REDIS_TIMEOUT_MS): ConnectionOptions {
  // Workers block on Redis and must never give up a command. Producers answer a request: a
  // command that is not answered within the bound (Redis frozen, down, reconnecting) fails, and
  // the request gets 503 with Retry-After instead of waiting as long as the outage lasts.
  return redisOptions(
    url,
    worker
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 2, enableAutoPipelining: true, commandTimeout: timeoutMs },
  ) as ConnectionOptions;
}

export type PipelineQueueOptions = {
  /** Longest a producer command waits on Redis (config.redisTimeoutMs). */
  timeoutMs?: number;
  errors?: RedisErrorLog;
};

/** The BullMQ side of the pipeline, behind one small gateway. */
export class PipelineQueue {
  private readonly queue: Queue;
  private readonly errors: RedisErrorLog;
  private waitingCache = { at: 0, value: 0 };

  constructor(url: string, prefix: string, opts: PipelineQueueOptions = {}) {
    this.queue = new Queue(PIPELINE_QUEUE, {
      connection: connection(url, false, opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS),
      prefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    this.errors = opts.errors ?? redisErrors;
    this.queue.on('error', (err) => this.error(err));
  }

  /** BullMQ's errors: counted (`pingzhan_errors_total{component="bullmq"}`) and logged, rate-limited. */
  private error(err: unknown): void {
    countError('bullmq');
    this.errors.record('queue', err);
  }

  /** The BullMQ queue itself, for the admin's queue board (/admin/queues) only. */
  get bullQueue(): Queue {
    return this.queue;
  }

  /** Resolves once the job is stored in Redis (which fsyncs before it answers). */
  async add(name: JobName, data: unknown, jobId: string, opts: JobsOptions = {}): Promise<void> {
    await this.queue.add(name, data, { jobId, ...opts });
  }

  /** A job with this id is still to run (waiting, delayed, active), not done and not failed. */
  async pending(jobId: string): Promise<boolean> {
    const state = await this.queue.getJobState(jobId);
    return ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(state);
  }

  async remove(jobId: string): Promise<void> {
    // Best effort (a due-task timer that still fires finds its task closed), but never silent.
    await this.queue.remove(jobId).catch((err) => this.error(err));
  }

  /** Cached briefly: intake asks on every request. */
  async backlog(): Promise<number> {
    const now = Date.now();
    if (now - this.waitingCache.at > 250) {
      const c = await this.queue.getJobCounts('wait', 'prioritized');
      this.waitingCache = { at: now, value: (c.wait ?? 0) + (c.prioritized ?? 0) };
    }
    return this.waitingCache.value;
  }

  async counts() {
    return this.queue.getJobCounts();
  }

  /**
   * Delayed jobs of one name (`task.due`, `case.overdue`…): the timers of one kind. Reads every
   * delayed job, so for tests and an operator's question, not for a scrape.
   */
  async delayedCount(name: string): Promise<number> {
    const jobs = await this.queue.getDelayed();
    return jobs.filter((j) => j?.name === name).length;
  }

  /**
   * When the oldest job still waiting was added (ms since epoch), or null if none waits.
   * BullMQ pushes new jobs on the left of its wait list, so the oldest is the last one; a
   * prioritized job may be older still.
   */
  async oldestWaitingAt(): Promise<number | null> {
    const [waiting, prioritized] = await Promise.all([
      this.queue.getJobs(['wait'], 0, 0, true),
      this.queue.getJobs(['prioritized'], 0, 0, true),
    ]);
    const times = [...waiting, ...prioritized]
      .filter((j) => j !== undefined && j !== null)
      .map((j) => j.timestamp);
    return times.length ? Math.min(...times) : null;
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  /** The most recent failed jobs (kept by `removeOnFail`), newest first, for operators to see. */
  async failedJobs(limit: number): Promise<
    {
      id: string;
      name: string;
      reason: string;
      failedAt: string | null;
      attempts: number;
      payload: unknown;
    }[]
  > {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs
      .filter((j) => j !== undefined && j !== null)
      .map((j) => ({
        id: j.id ?? '',
        name: j.name,
        reason: j.failedReason ?? '',
        failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
        attempts: j.attemptsMade,
        payload: j.data as unknown,
      }));
  }
}

/** What a handler answered (`{id, outcome}` for intake), when it is a small record worth a log line. */
function resultFields(result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== 'object') return {};
  const { id, outcome } = result as { id?: unknown; outcome?: unknown };
  return {
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof outcome === 'string' ? { outcome } : {}),
  };
}

/** A job that met an unavailable Redis runs again after this long, without spending an attempt. */
export const UNAVAILABLE_RETRY_MS = 500;
/** …but not for ever: past this many starts, Redis trouble counts against its attempts as usual. */
export const UNAVAILABLE_MAX_STARTS = 200;

/**
 * Runs a job. The state connection gives up on Redis after REDIS_TIMEOUT_MS so that requests are
 * answered 503 at once; for a job such a failure says nothing about the job itself, so the job is
 * put back to run shortly instead of using up one of its attempts (eight failures in a long outage would
 * otherwise lose a report that was answered 202). The put-back waits for Redis as long as needed:
 * the worker's own connections never time out.
 */
function processor(registry: JobRegistry) {
  return async (job: Job, token?: string): Promise<unknown> => {
    try {
      return await registry.run(job.name, job.data);
    } catch (err) {
      if (!token || !isRedisUnavailable(err) || job.attemptsStarted >= UNAVAILABLE_MAX_STARTS) throw err;
      await job.moveToDelayed(Date.now() + UNAVAILABLE_RETRY_MS, token);
      throw new DelayedError();
    }
  };
}

/** What the worker logs through: the server's pino logger (`app.log`) or a worker process's own. */
export type JobLog = {
  debug(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
};

/**
 * The fields a job's log lines carry: `reqId` is the HTTP request's id (the same key as Fastify's
 * own request log lines), so one grep follows a report from its request to its commit.
 */
export function jobLogFields(job: Job | undefined): Record<string, unknown> {
  const data = job?.data as { requestId?: unknown } | undefined;
  return {
    ...(typeof data?.requestId === 'string' ? { reqId: data.requestId } : {}),
    job: job?.name ?? '?',
    jobId: job?.id,
  };
}

export type PipelineWorkerOptions = {
  /**
   * A line per job: at debug when it is done (`outcome`: created, merged, linked, duplicate), at
   * warn when it failed. Success stays at debug like the requests themselves (thousands a minute
   * under a simulator); LOG_LEVEL=debug shows every report's path.
   */
  log?: JobLog;
  errors?: RedisErrorLog;
};

export function startPipelineWorker(
  url: string,
  prefix: string,
  registry: JobRegistry,
  concurrency: number,
  { log, errors = redisErrors }: PipelineWorkerOptions = {},
): Worker {
  const worker = new Worker(PIPELINE_QUEUE, processor(registry), {
    connection: connection(url, true),
    prefix,
    concurrency,
    // Jobs take milliseconds; a worker that died is noticed in seconds, not the default half minute,
    // so reports it held are committed soon after a restart.
    lockDuration: 10_000,
    stalledInterval: 5_000,
  });
  if (log) {
    worker.on('completed', (job, result) =>
      log.debug({ ...jobLogFields(job), ...resultFields(result) }, 'job done'),
    );
    worker.on('failed', (job, err) =>
      log.warn({ ...jobLogFields(job), attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
  }
  worker.on('error', (err) => {
    countError('bullmq');
    errors.record('worker', err);
  });
  return worker;
}
