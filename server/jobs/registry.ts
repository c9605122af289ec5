import { z } from 'zod';
import { IncidentIntake } from '../../shared/incident.ts';
import { VideoAlertIntake } from '../../shared/video-alert.ts';

/** Every job the pipeline queue carries, with its payload schema. */
export const JOBS = {
  'intake.incident': z.object({
    id: z.string(),
    input: IncidentIntake,
    actor: z.string(),
    receivedAt: z.string(),
  }),
  'intake.video_alert': z.object({
    id: z.string(),
    input: VideoAlertIntake,
    actor: z.string(),
    receivedAt: z.string(),
  }),
  'task.due': z.object({ operationId: z.string(), taskId: z.string() }),
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

  async run(name: string, data: unknown): Promise<unknown> {
    if (!(name in JOBS)) throw new Error(`unknown job ${name}`);
    const n = name as JobName;
    const payload = JOBS[n].parse(data);
    return (this.handlers[n] as (p: unknown) => Promise<unknown>)(payload);
  }
}
