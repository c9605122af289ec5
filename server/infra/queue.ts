import { Queue, Worker, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { JobName } from '../jobs/registry.ts';
import { JobRegistry } from '../jobs/registry.ts';
import { redisOptions } from './redis.ts';

export const PIPELINE_QUEUE = 'pipeline';

const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 200 },
  // Completed jobs are not needed: idempotency lives in the commit, not in BullMQ.
  removeOnComplete: { age: 600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

function connection(url: string, worker: boolean): ConnectionOptions {
  // Workers block on Redis and must never give up a command; producers fail fast instead.
  return redisOptions(
    url,
    worker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 2, enableAutoPipelining: true },
  ) as ConnectionOptions;
}

/** The BullMQ side of the pipeline, behind one small gateway. */
export class PipelineQueue {
  private readonly queue: Queue;
  private waitingCache = { at: 0, value: 0 };

  constructor(url: string, prefix: string) {
    this.queue = new Queue(PIPELINE_QUEUE, {
      connection: connection(url, false),
      prefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    this.queue.on('error', () => undefined);
  }

  /** Resolves once the job is stored in Redis (which fsyncs before it answers). */
  async add(name: JobName, data: unknown, jobId: string, opts: JobsOptions = {}): Promise<void> {
    await this.queue.add(name, data, { jobId, ...opts });
  }

  async remove(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch(() => undefined);
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

export function startPipelineWorker(
  url: string,
  prefix: string,
  registry: JobRegistry,
  concurrency: number,
  onFailed?: (name: string, err: Error) => void,
): Worker {
  const worker = new Worker(PIPELINE_QUEUE, (job) => registry.run(job.name, job.data), {
    connection: connection(url, true),
    prefix,
    concurrency,
    // Jobs take milliseconds; a worker that died is noticed in seconds, not the default half minute,
    // so reports it held are committed soon after a restart.
    lockDuration: 10_000,
    stalledInterval: 5_000,
  });
  worker.on('failed', (job, err) => onFailed?.(job?.name ?? '?', err));
  worker.on('error', () => undefined);
  return worker;
}
