import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { redisErrors, type RedisErrorLog } from '../infra/redis-errors.ts';
import { redisOptions } from '../infra/redis.ts';
import type { JobName, JobRegistry } from '../pipeline/registry.ts';

/**
 * The archive sweep's own queue. Not the pipeline's: a scheduler keeps its next run there as a
 * delayed job for ever, and the pipeline's counts (backlog, "idle", the task timers' delayed
 * jobs) must keep meaning intake and timers only.
 */
export const ARCHIVE_QUEUE = 'archive';
/** One scheduler id for every server: upserting it again (another server, a restart) is a no-op. */
export const ARCHIVE_SCHEDULER_ID = 'archive-sweep';
const NAME: JobName = 'archive.sweep';

/**
 * Declares the archive sweep as a BullMQ job scheduler: one job every `everyMs`, run by whichever
 * archive worker takes it (every server and pipeline worker process runs one). Every server
 * upserts it at start, so it exists once however many servers run, and a changed
 * ARCHIVE_EVERY_MS takes effect with the next server started.
 */
export async function scheduleArchiveSweep(redisUrl: string, prefix: string, everyMs: number): Promise<void> {
  const queue = new Queue(ARCHIVE_QUEUE, {
    connection: redisOptions(redisUrl, { maxRetriesPerRequest: 2 }) as ConnectionOptions,
    prefix,
  });
  try {
    await queue.upsertJobScheduler(
      ARCHIVE_SCHEDULER_ID,
      { every: everyMs },
      {
        name: NAME,
        data: {},
        // A sweep matters only until the next one, which also retries whatever this one left.
        opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } },
      },
    );
  } finally {
    await queue.close();
  }
}

/**
 * Runs the sweeps (through the one job registry, which validates the payload). Several of them
 * may run at once, in this process or others: each archive commit expects the versions it read.
 */
export function startArchiveWorker(
  redisUrl: string,
  prefix: string,
  registry: JobRegistry,
  onFailed?: (err: Error) => void,
  errors: RedisErrorLog = redisErrors,
): Worker {
  const worker = new Worker(ARCHIVE_QUEUE, async (job) => registry.run(job.name, job.data), {
    connection: redisOptions(redisUrl, { maxRetriesPerRequest: null }) as ConnectionOptions,
    prefix,
    concurrency: 1,
  });
  worker.on('failed', (_job, err) => onFailed?.(err));
  worker.on('error', (err) => errors.record('archive-worker', err));
  return worker;
}
