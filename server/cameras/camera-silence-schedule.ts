import { Queue, type ConnectionOptions } from 'bullmq';
import { redisOptions } from '../infra/redis.ts';
import { ARCHIVE_QUEUE } from '../history/archive-schedule.ts';
import type { JobName } from '../pipeline/registry.ts';

/** One scheduler id for every server: upserting it again (another server, a restart) is a no-op. */
export const CAMERA_SILENCE_SCHEDULER_ID = 'camera-silence-sweep';
const NAME: JobName = 'camera.silence_sweep';

/** How often the sweep runs: a camera goes offline at most this much after its silence limit. */
export const silenceSweepEveryMs = (silenceMs: number) =>
  Math.max(500, Math.min(60_000, Math.floor(silenceMs / 4)));

/**
 * Declares the silence sweep (`CameraService.sweepSilence`) as a BullMQ job scheduler on the
 * sweeps' queue (the archive worker of every server and pipeline worker runs whatever job the
 * registry knows). One for the deployment, however many servers upsert it; no timer in any
 * request path.
 */
export async function scheduleCameraSilenceSweep(
  redisUrl: string,
  prefix: string,
  silenceMs: number,
): Promise<void> {
  const queue = new Queue(ARCHIVE_QUEUE, {
    connection: redisOptions(redisUrl, { maxRetriesPerRequest: 2 }) as ConnectionOptions,
    prefix,
  });
  try {
    await queue.upsertJobScheduler(
      CAMERA_SILENCE_SCHEDULER_ID,
      { every: silenceSweepEveryMs(silenceMs) },
      {
        name: NAME,
        data: {},
        // The next sweep retries whatever this one left.
        opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } },
      },
    );
  } finally {
    await queue.close();
  }
}
