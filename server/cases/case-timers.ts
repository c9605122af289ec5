import { z } from 'zod';
import type { LimitUnit } from '../../shared/case-rules.ts';
import type { Incident } from '../../shared/incident.ts';
import type { TimerQueue } from '../services/operation.service.ts';
import type { WorkingCalendar } from './calendar.ts';
import { runningStep } from './lifecycle.ts';

export type DeadlineKind = 'due_soon' | 'overdue';
/** The 80 % point of a step's limit raises `case.due_soon`, its due time `case.overdue`. */
export const DUE_SOON_SHARE = 0.8;

/** The payload of both deadline jobs: which step of which case, and the due time it was set for. */
export const DeadlineJob = z.object({
  caseId: z.string(),
  stepIndex: z.number().int().min(0),
  dueAt: z.string(),
});
export type DeadlineJob = z.infer<typeof DeadlineJob>;

/**
 * One id per (case, step, kind, due time): adding it again is a no-op, and an extension (a new
 * due time) gets timers of its own. BullMQ custom ids may not contain ':'.
 */
export const deadlineJobId = (kind: DeadlineKind, j: DeadlineJob): string =>
  `case-${kind}-${j.caseId}-${j.stepIndex}-${Date.parse(j.dueAt)}`.replace(/:/g, '_');

/**
 * The deadline timers of a case's running step: BullMQ delayed jobs, kept in Redis (they survive
 * a restart), no polling. A timer whose step has finished, or whose due time moved, finds that
 * when it fires and does nothing, so removing one is only tidiness.
 */
export class CaseTimers {
  constructor(
    private readonly queue: TimerQueue,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Timers for the step running in `c` (none when no step runs). */
  async schedule(c: Incident, calendar: WorkingCalendar, unit: LimitUnit): Promise<void> {
    const run = runningStep(c);
    if (!run) return;
    const job: DeadlineJob = { caseId: c.id, stepIndex: run.index, dueAt: run.step.dueAt };
    const started = Date.parse(run.step.startedAt);
    const due = Date.parse(run.step.dueAt);
    // Measured as the limit is: 80 % of four working hours is never at night.
    const soon = calendar.shareOf(started, due, unit, DUE_SOON_SHARE);
    const now = this.clock();
    await Promise.all([
      this.queue.add('case.due_soon', job, deadlineJobId('due_soon', job), { delay: Math.max(0, soon - now) }),
      this.queue.add('case.overdue', job, deadlineJobId('overdue', job), { delay: Math.max(0, due - now) }),
    ]);
  }

  /** Removes the timers of the step that ran in `before` when `after` no longer runs it (best effort). */
  async cancelReplaced(before: Incident, after: Incident): Promise<void> {
    const was = runningStep(before);
    if (!was) return;
    const now = runningStep(after);
    if (now && now.index === was.index && now.step.dueAt === was.step.dueAt) return;
    const job: DeadlineJob = { caseId: before.id, stepIndex: was.index, dueAt: was.step.dueAt };
    await Promise.all([
      this.queue.remove(deadlineJobId('due_soon', job)),
      this.queue.remove(deadlineJobId('overdue', job)),
    ]);
  }
}
