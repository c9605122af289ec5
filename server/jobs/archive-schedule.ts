import { Queue, type ConnectionOptions } from 'bullmq';
import { PIPELINE_QUEUE } from '../infra/queue.ts';
import { redisOptions } from '../infra/redis.ts';
import type { JobName } from './registry.ts';

/** One scheduler id for every server: upserting it again (another server, a restart) is a no-op. */
export const ARCHIVE_SCHEDULER_ID = 'archive-sweep';
const NAME: JobName = 'archive.sweep';

/**
 * Declares the archive sweep as a BullMQ job scheduler on the pipeline queue: one job every
 * `everyMs`, run by whichever pipeline worker takes it (in this process or another). Every server
 * upserts it at start, so it exists once per queue however many servers run, and a changed
 * ARCHIVE_EVERY_MS takes effect with the next server started.
 */
export async function scheduleArchiveSweep(redisUrl: string, prefix: string, everyMs: number): Promise<void> {
  const queue = new Queue(PIPELINE_QUEUE, {
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
        // A sweep's outcome matters only until the next one; a failed one is retried by the next.
        opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 }, attempts: 1 },
      },
    );
  } finally {
    await queue.close();
  }
}
