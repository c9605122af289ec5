import { caseEnded, type CaseAction } from '../../shared/case.ts';
import type { User } from '../../shared/identity.ts';
import type { Incident, IncidentPatch } from '../../shared/incident.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import { conflict, notFound } from '../infra/domain-errors.ts';
import { TIMER_ACTOR } from '../commands/operation.service.ts';
import type { CaseRulesService, RulesInForce } from './case-rules.service.ts';
import type { CaseTimers, DeadlineJob, DeadlineKind } from './case-timers.ts';
import { limitFor } from './default-rules.ts';
import { applyAction, authorize, patchActions, runningStep, type CaseActor } from './lifecycle.ts';

/** A user as the lifecycle sees them: name, role and the scope a scoped role is bound to. */
export const actorOf = (u: User): CaseActor => ({
  name: u.username,
  role: u.role,
  ...(u.streetId ? { streetId: u.streetId } : {}),
  ...(u.departmentId ? { departmentId: u.departmentId } : {}),
});

/**
 * The case commands (`POST /api/v1/cases/:id/actions`, the old `PATCH /api/v1/incidents/:id`)
 * and the deadline jobs. Each is one commit through the write path: read, apply the pure
 * lifecycle, expect the version read, with the timers of the step it starts added first (a timer
 * of a commit that then lost does nothing when it fires).
 */
export class CaseActionsService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** Cases that left Redis: closed, so an action answers 409 (or 404 out of scope). */
    private readonly archived: ArchivedRecords,
    private readonly rules: CaseRulesService,
    private readonly timers: CaseTimers,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private readonly departmentIds = (): ReadonlySet<string> =>
    new Set(this.rules.departments.map((d) => d.id));

  async act(requestedId: string, action: CaseAction, user: User): Promise<Incident> {
    return this.run(requestedId, user, () => [action], false);
  }

  /**
   * The old forward-only PATCH as a thin alias: the actions from the case's status to the one asked
   * for, in order, in one commit (each its own version and event). Not ahead: 409 as before.
   */
  async patch(requestedId: string, patch: IncidentPatch, user: User): Promise<Incident> {
    return this.run(
      requestedId,
      user,
      (cur) => {
        const actions = patchActions(cur.status, patch.status, patch.note);
        if (actions.length === 0)
          throw conflict(`incident ${cur.id} is ${cur.status}; it cannot go to ${patch.status}`);
        return actions;
      },
      true,
    );
  }

  private async run(
    requestedId: string,
    user: User,
    actionsFor: (cur: Incident) => CaseAction[],
    onBehalf: boolean,
  ): Promise<Incident> {
    const id = await this.state.resolveIncidentId(requestedId);
    const actor = actorOf(user);
    let before: Incident | null = null;
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const cur = await this.state.getIncident(id);
        if (!cur) {
          const rec = await this.archived.incident(id);
          if (!rec) throw notFound(`case ${requestedId}`);
          // Archived: it was closed. Out of scope stays 404; otherwise as on the closed case.
          const first = actionsFor({ ...rec, status: rec.status }).at(0);
          authorize(rec, first?.action ?? 'close', actor, onBehalf);
          throw conflict(`case ${rec.id} is ${rec.status}; it was archived`);
        }
        const actions = actionsFor(cur);
        const inForce = await this.rules.forVersion(cur.rulesVersion);
        const ctx = {
          now,
          rules: inForce.rules,
          calendar: inForce.calendar,
          departments: this.departmentIds(),
          onBehalf,
        };
        let next = cur;
        const events: PendingEvent[] = [];
        for (const a of actions) {
          next = applyAction(next, a, actor, ctx);
          events.push({ type: 'incident.updated', actor: actor.name, data: next });
        }
        if (next.status === 'closed' && cur.operationIds.length > 0) {
          const ops = await Promise.all(cur.operationIds.map((o) => this.state.getOperation(o)));
          if (ops.some((o) => o?.status === 'active'))
            throw conflict('stand the operation down before closing');
        }
        // Before the commit, on every attempt: the step it starts must never lack its timers.
        await this.scheduleFor(cur, next, inForce);
        before = cur;
        return {
          result: next,
          plan: {
            expect: [{ hash: 'incidents', id, version: cur.version }],
            put: [{ hash: 'incidents', id, value: next }],
            ...(caseEnded(next.status) ? { geoRem: [id] } : {}),
            events,
          },
        };
      },
      { clock: this.clock },
    );
    if (before) await this.timers.cancelReplaced(before, result);
    return result;
  }

  /** Timers for the step `next` runs when `cur` did not run that very step with that due time. */
  private async scheduleFor(cur: Incident, next: Incident, inForce: RulesInForce): Promise<void> {
    const run = runningStep(next);
    if (!run || caseEnded(next.status)) return;
    const was = runningStep(cur);
    if (was && was.index === run.index && was.step.dueAt === run.step.dueAt) return;
    await this.timers.schedule(next, inForce.calendar, this.unitOf(next, run.step.step, inForce));
  }

  private unitOf(c: Incident, step: Parameters<typeof limitFor>[2], inForce: RulesInForce) {
    return limitFor(inForce.rules, c.category, step)?.unit ?? 'minutes';
  }

  /** Timers for a case that was just accepted (the pipeline and the alert review call it before committing). */
  async scheduleAccepted(c: Incident): Promise<void> {
    const inForce = await this.rules.forVersion(c.rulesVersion);
    const run = runningStep(c);
    if (run) await this.timers.schedule(c, inForce.calendar, this.unitOf(c, run.step.step, inForce));
  }

  /**
   * The `case.due_soon` / `case.overdue` job: one commit that flags the step and emits the event,
   * only if the case still runs that step, unfinished, with that due time, and it is not flagged
   * yet. Otherwise (finished, extended, closed, voided, archived, a second run) nothing happens.
   */
  async deadline(kind: DeadlineKind, job: DeadlineJob): Promise<{ outcome: string }> {
    const flag = kind === 'due_soon' ? 'dueSoon' : 'overdue';
    const { result } = await commitWithRetry<string>(
      this.store,
      async (now) => {
        const noop = (outcome: string) => ({ plan: null, result: outcome });
        const cur = await this.state.getIncident(job.caseId);
        if (!cur) return noop('gone');
        if (caseEnded(cur.status)) return noop('ended');
        const run = runningStep(cur);
        if (!run || run.index !== job.stepIndex) return noop('step_finished');
        if (run.step.dueAt !== job.dueAt) return noop('due_time_moved');
        if (run.step[flag]) return noop('unchanged');
        const at = now.toISOString();
        const next: Incident = {
          ...cur,
          steps: [...cur.steps.slice(0, run.index), { ...run.step, [flag]: true }],
          updatedAt: at,
          lastAction: { at, action: kind, actor: TIMER_ACTOR, note: run.step.step },
          version: cur.version + 1,
        };
        return {
          plan: {
            expect: [{ hash: 'incidents', id: cur.id, version: cur.version }],
            put: [{ hash: 'incidents', id: cur.id, value: next }],
            // incident.updated keeps every reader of incidents (projector, record, replay) as it
            // is; the contract's own event follows with the same case.
            events: [
              { type: 'incident.updated', actor: TIMER_ACTOR, data: next },
              {
                type: kind === 'due_soon' ? 'case.due_soon' : 'case.overdue',
                actor: TIMER_ACTOR,
                data: next,
              },
            ],
          },
          result: kind,
        };
      },
      { clock: this.clock },
    );
    return { outcome: result };
  }
}
