import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { redisErrors, type RedisErrorLog } from '../infra/redis-errors.ts';
import { redisOptions } from '../infra/redis.ts';
import type { JobName, JobRegistry } from '../pipeline/registry.ts';
import { lastDue, REPORT_CRON, scheduledWindow, type ScheduledKind } from './report-windows.ts';

/**
 * The KPI reports' own queue: as with the archive sweep, a job scheduler keeps its next run
 * there as a delayed job for ever, which must not count in the pipeline's backlog or timers.
 */
export const REPORT_QUEUE = 'reports';
export const REPORT_ZONE = 'Asia/Shanghai';
const NAME: JobName = 'kpi_report.scheduled';
const KINDS: readonly ScheduledKind[] = ['daily', 'weekly', 'monthly'];
/** One scheduler id per kind, the same for every server: upserting it again is a no-op. */
export const reportSchedulerId = (kind: ScheduledKind) => `kpi-report-${kind}`;

const connection = (url: string, maxRetriesPerRequest: number | null) =>
  redisOptions(url, { maxRetriesPerRequest }) as ConnectionOptions;

/**
 * Declares the three schedules (08:00 daily, Mondays, the 1st; Asia/Shanghai) as BullMQ job
 * schedulers. Every server upserts them at start under fixed ids, so each exists once however
 * many servers start, and a run is taken by whichever report worker is free.
 */
export async function scheduleKpiReports(
  redisUrl: string,
  prefix: string,
  now = Date.now(),
  opts: { catchUp: boolean } = { catchUp: true },
): Promise<void> {
  const queue = new Queue(REPORT_QUEUE, { connection: connection(redisUrl, 2), prefix });
  try {
    for (const kind of KINDS) {
      if (opts.catchUp) {
        // The latest run that was due: a fresh install, or a server down at 08:00, has it at once.
        // The job id is the report's, so servers starting together queue it once; the report's own
        // id makes it once even if it ran before.
        const scheduledAt = lastDue(kind, now);
        await queue.add(
          NAME,
          { kind, scheduledAt },
          {
            jobId: `catch-up-${scheduledWindow(kind, scheduledAt).id}`,
            attempts: 8,
            backoff: { type: 'exponential', delay: 30_000 },
            removeOnComplete: { age: 7 * 86_400 },
            removeOnFail: { count: 100 },
          },
        );
      }
      await queue.upsertJobScheduler(
        reportSchedulerId(kind),
        { pattern: REPORT_CRON[kind], tz: REPORT_ZONE },
        {
          name: NAME,
          data: { kind },
          // A report that fails (the database down at 08:00) is tried again for about an hour;
          // its id is fixed by its window, so a retry never makes a second one.
          opts: {
            attempts: 8,
            backoff: { type: 'exponential', delay: 30_000 },
            removeOnComplete: { count: 100 },
            removeOnFail: { count: 100 },
          },
        },
      );
    }
  } finally {
    await queue.close();
  }
}

/**
 * The moment a scheduled run was due: BullMQ gives each run of a scheduler the id
 * `repeat:<scheduler>:<millis>` and `opts.prevMillis`; a job added by hand (a test, an operator
 * re-running one) may carry `scheduledAt` in its data instead.
 */
export function scheduledAtOf(job: Pick<Job, 'id' | 'opts' | 'timestamp' | 'data'>): number {
  const given = (job.data as { scheduledAt?: unknown }).scheduledAt;
  if (typeof given === 'number') return given;
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return prev;
  const m = /^repeat:.+:(\d+)$/.exec(job.id ?? '');
  return m ? Number(m[1]) : job.timestamp;
}

/** Runs the report jobs (through the one job registry, which validates the payload). */
export function startKpiReportWorker(
  redisUrl: string,
  prefix: string,
  registry: JobRegistry,
  onFailed?: (err: Error) => void,
  errors: RedisErrorLog = redisErrors,
): Worker {
  const worker = new Worker(
    REPORT_QUEUE,
    async (job) => registry.run(job.name, { ...job.data, scheduledAt: scheduledAtOf(job) }),
    { connection: connection(redisUrl, null), prefix, concurrency: 1 },
  );
  worker.on('failed', (_job, err) => onFailed?.(err));
  worker.on('error', (err) => errors.record('report-worker', err));
  return worker;
}

/** A queue handle for tests and the status page: the schedulers and the runs waiting. */
export function reportQueue(redisUrl: string, prefix: string): Queue {
  return new Queue(REPORT_QUEUE, { connection: connection(redisUrl, 2), prefix });
}
