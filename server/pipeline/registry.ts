import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { IncidentIntake } from '../../shared/incident.ts';
import { DeadlineJob } from '../cases/case-timers.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';
import { DomainError } from '../infra/domain-errors.ts';

/**
 * The HTTP request that queued a job (infra/request-id.ts), for the worker's log line. Optional:
 * jobs queued before it existed, or not from a request, run all the same; and a malformed one is
 * dropped, never a reason to fail a report.
 */
const RequestId = z.string().max(64).optional().catch(undefined);

/** Every job the pipeline queue carries, with its payload schema. */
export const JOBS = {
  'intake.incident': z.object({
    id: z.string(),
    input: IncidentIntake,
    actor: z.string(),
    receivedAt: z.string(),
    requestId: RequestId,
  }),
  'intake.video_alert': z.object({
    id: z.string(),
    input: VideoAlertIntake,
    actor: z.string(),
    receivedAt: z.string(),
    requestId: RequestId,
    /** A snapshot the camera sent with the alarm, stored by us (integrations/video/snapshot-store.ts). */
    snapshot: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), mime: z.string() }).optional(),
  }),
  'task.due': z.object({ operationId: z.string(), taskId: z.string() }),
  /** The archive sweep (services/archive.service.ts), repeated by the scheduler in archive-schedule.ts. */
  'archive.sweep': z.object({}),
  /**
   * A scheduled KPI report (cases/kpi-report-schedule.ts): `scheduledAt` is the moment the run
   * was due (ms), which fixes its window and so its id.
   */
  'kpi_report.scheduled': z.object({
    kind: z.enum(['daily', 'weekly', 'monthly']),
    scheduledAt: z.number().int().min(0),
  }),
  /** A CAP message accepted by `POST /api/v1/warnings` (warnings/warning.service.ts): its bytes, base64. */
  'warning.cap': z.object({
    id: z.string(),
    raw: z.string().base64(),
    actor: z.string(),
    receivedAt: z.string(),
    requestId: RequestId,
  }),
  /** A warning's expiry timer, at its `expires` (a delayed job per warning and expires). */
  'warning.expire': z.object({ id: z.string(), expires: z.string() }),
  /** A case step's deadline timers (cases/case-timers.ts): 80 % of its limit, and its due time. */
  'case.due_soon': DeadlineJob,
  'case.overdue': DeadlineJob,
  /** Cameras silent past CAMERA_SILENCE_S go offline (cameras/camera-silence-schedule.ts). */
  'camera.silence_sweep': z.object({}),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]>;
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

/**
 * One registry for all job types. It refuses to be built when a declared job has no handler, so
 * a worker can never start that would leave jobs of some type stuck in the queue.
 */
export class JobRegistry {
  private constructor(private readonly handlers: JobHandlers) {}

  static create(handlers: Partial<JobHandlers>): JobRegistry {
    const missing = (Object.keys(JOBS) as JobName[]).filter((n) => typeof handlers[n] !== 'function');
    if (missing.length) throw new Error(`job registry: no handler for ${missing.join(', ')}`);
    const extra = Object.keys(handlers).filter((n) => !(n in JOBS));
    if (extra.length) throw new Error(`job registry: handlers for undeclared jobs ${extra.join(', ')}`);
    return new JobRegistry(handlers as JobHandlers);
  }

  /**
   * Runs one job. A job that can never succeed (unknown type, a payload its schema refuses, a
   * domain error that no retry changes) throws BullMQ's UnrecoverableError: it fails at once and
   * stays in the failed set, where `GET /api/v1/failed-jobs` shows it, instead of eight retries.
   * Anything else (Redis gone, a conflict) is thrown as it is and retried.
   */
  async run(name: string, data: unknown): Promise<unknown> {
    if (!(name in JOBS)) throw new UnrecoverableError(`unknown job ${name}`);
    const n = name as JobName;
    const parsed = JOBS[n].safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
      throw new UnrecoverableError(`invalid ${n} payload: ${issues.join('; ')}`);
    }
    try {
      return await (this.handlers[n] as (p: unknown) => Promise<unknown>)(parsed.data);
    } catch (err) {
      if (isPermanent(err)) throw new UnrecoverableError(`${n}: ${(err as Error).message}`);
      throw err;
    }
  }
}

/** Bad input, a missing thing, a forbidden act: the same job fails the same way every time. */
function isPermanent(err: unknown): boolean {
  return err instanceof DomainError && [400, 403, 404, 413].includes(err.status);
}
