import type { Mode } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Operation, OperationTask, TaskStatus } from '../../shared/operation.ts';
import type { Plan } from '../../shared/plan.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';
import type { JobName } from '../pipeline/registry.ts';
import type { CommitPlan, EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry, expectedVersion } from '../log/commit-retry.ts';
import { conflict, DomainError, notFound } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';
import { modeEvent, nextMode } from './mode.ts';
import type { RankedPlan } from '../../shared/plan.ts';
import { proposeResources, rankPlans } from './proposals.ts';
import { dispatchResourceTo } from './dispatch-record.ts';

/** The part of the job queue that operations need: delayed one-shot timers. */
export interface TimerQueue {
  add(name: JobName, data: unknown, jobId: string, opts?: { delay?: number }): Promise<void>;
  remove(jobId: string): Promise<void>;
}

export const TIMER_ACTOR = 'system:timer';

/** BullMQ custom ids may not contain ':'; one id per task so a re-schedule is a no-op. */
export const taskDueJobId = (operationId: string, taskId: string) =>
  `task-due-${operationId}-${taskId}`.replace(/:/g, '_');

const taskEvent = (op: Operation, task: OperationTask, actor: string): PendingEvent => ({
  type: 'task.updated',
  actor,
  data: { ...task, operationId: op.id },
});

/** Plan activation, the manual mode switch, the task board and its timers, stand-down. */
export class OperationService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** The plan library; the same array the API lists. */
    private readonly plans: Plan[],
    private readonly timers: TimerQueue,
    /** Items that left Redis: read from the database, so commands on them answer 409, not 404. */
    private readonly archived: ArchivedRecords,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private plan(id: string): Plan {
    const p = this.plans.find((x) => x.id === id);
    if (!p) throw notFound(`plan ${id}`);
    return p;
  }

  /** From Redis, else (archived, hence closed) from the database: activating on it is then a 409. */
  private async incident(id: string): Promise<Incident> {
    const resolved = await this.state.resolveIncidentId(id);
    const inc = (await this.state.getIncident(resolved)) ?? (await this.archived.incident(resolved));
    if (!inc) throw notFound(`incident ${id}`);
    return inc;
  }

  /** From Redis, else (archived, hence stood down) from the database: commands on it are 409s. */
  async get(id: string): Promise<Operation> {
    const op = (await this.state.getOperation(id)) ?? (await this.archived.operation(id));
    if (!op) throw notFound(`operation ${id}`);
    return op;
  }

  /** Each with the resources activating it now would propose, so a console can show them ticked. */
  async plansFor(incidentId: string): Promise<RankedPlan[]> {
    const [incident, resources] = await Promise.all([this.incident(incidentId), this.state.listResources()]);
    return rankPlans(this.plans, incident).map((p) => ({
      ...p,
      proposals: proposeResources(p.needs, resources, incident.location),
    }));
  }

  /**
   * One commit: the operation with its tasks and proposals, the incident, the mode. The task
   * timers are queued before that commit (with the due times it will carry), so an operation never
   * exists without its timers; a timer whose operation never got committed finds nothing and ends.
   *
   * `dispatch` names resources to send in that same commit (the proposals the commander kept
   * ticked): each must be available when the commit runs, its version is checked by the commit
   * itself, and one that is not available is a 409 naming it with nothing written at all.
   */
  async activate(
    input: { planId: string; incidentId: string; dispatch?: readonly string[] },
    actor: string,
  ): Promise<{ id: string; dispatchIds: string[] }> {
    const toDispatch = input.dispatch ?? [];
    const plan = this.plan(input.planId);
    const id = newId('OP');
    const t0 = this.clock();
    // Fixed before the first attempt, like the operation's id, so a retry commits the same records.
    const dispatchIds = toDispatch.map(() => newId('DSP'));
    /*
     * The timers depend on nothing the command reads (the new id, the plan's tasks, t0), so they
     * are queued while it reads instead of after: they no longer sit between the click and the
     * commit. Still before the commit, which waits for them. A refused activation takes them back.
     */
    const timers = this.scheduleTimers(id, plan, t0);
    timers.catch(() => undefined); // awaited before the commit; a refusal may come first
    try {
      return await this.commitActivation(input, actor, { id, plan, t0, dispatchIds, timers });
    } catch (e) {
      // A DomainError was decided before any commit; anything else (Redis) may have committed.
      if (e instanceof DomainError) await this.removeTimers(id, plan).catch(() => undefined);
      throw e;
    }
  }

  private async commitActivation(
    input: { planId: string; incidentId: string; dispatch?: readonly string[] },
    actor: string,
    ctx: { id: string; plan: Plan; t0: Date; dispatchIds: string[]; timers: Promise<void> },
  ): Promise<{ id: string; dispatchIds: string[] }> {
    const { id, plan, t0, dispatchIds } = ctx;
    const toDispatch = input.dispatch ?? [];
    const { result: op } = await commitWithRetry<Operation>(
      this.store,
      async (now) => {
        const incident = await this.incident(input.incidentId);
        if (incident.status === 'closed') throw conflict(`incident ${incident.id} is closed`);
        const ops = await Promise.all(incident.operationIds.map((o) => this.state.getOperation(o)));
        const running = ops.find((o) => o?.status === 'active');
        if (running)
          throw conflict(`incident ${incident.id} already has an active operation (${running.id})`);
        const [mode, resources, head] = await Promise.all([
          this.state.getMode(),
          this.state.listResources(),
          this.store.headSeq(),
        ]);
        const at = now.toISOString();
        const byId = new Map(resources.map((r) => [r.id, r]));
        const sent = toDispatch.map((rid, i) => {
          const r = byId.get(rid);
          if (!r) throw notFound(`resource ${rid}`);
          return {
            was: r,
            ...dispatchResourceTo(r, incident, { id: dispatchIds[i], operationId: id, at, actor }),
          };
        });
        const tasks: OperationTask[] = [...plan.tasks]
          .sort((a, b) => a.order - b.order)
          .map((t) => ({
            id: t.id,
            title: t.title,
            titleEn: t.titleEn,
            unit: t.unit,
            role: t.role,
            order: t.order,
            status: 'pending',
            dueAt: new Date(t0.getTime() + t.dueMinutes * 60_000).toISOString(),
            overdue: false,
            doneAt: null,
            updatedAt: at,
          }));
        const op: Operation = {
          id,
          planId: plan.id,
          planName: plan.name,
          planNameEn: plan.nameEn,
          incidentId: incident.id,
          name: `${incident.title} · ${plan.name}`,
          level: plan.level,
          status: 'active',
          cordonRadiusM: plan.cordonRadiusM,
          tasks,
          proposals: proposeResources(plan.needs, resources, incident.location),
          resourceIds: [],
          activatedAt: at,
          activatedBy: actor,
          stoodDownAt: null,
          stoodDownBy: null,
          logFromSeq: head,
          version: 1,
        };
        const inc: Incident = {
          ...incident,
          operationIds: [...incident.operationIds, id],
          updatedAt: at,
          lastAction: { at, action: 'operation_activated', actor, note: `${plan.name} (${id})`, ref: id },
          version: incident.version + 1,
        };
        const m = nextMode(mode, {
          state: 'wartime',
          operationIds: [...mode.operationIds.filter((o) => o !== id), id],
          reason: `启动预案：${op.name}`,
          actor,
          now,
        });
        // The operation as it stands once its resources are out: what is stored and last announced.
        const dispatched: Operation =
          sent.length === 0
            ? op
            : { ...op, resourceIds: sent.map((s) => s.resource.id), version: op.version + 1 };
        const commit: CommitPlan = {
          expect: [
            { hash: 'operations', id, version: null },
            { hash: 'incidents', id: incident.id, version: incident.version },
            { hash: 'meta', id: 'mode', version: expectedVersion(mode.version) },
            // Each resource as read: one dispatched meanwhile fails the commit, and the retry's 409 names it.
            ...sent.flatMap((s) => [
              { hash: 'resources' as const, id: s.was.id, version: s.was.version },
              { hash: 'dispatches' as const, id: s.dispatch.id, version: null },
            ]),
          ],
          put: [
            { hash: 'operations', id, value: dispatched },
            { hash: 'incidents', id: incident.id, value: inc },
            { hash: 'meta', id: 'mode', value: m },
            ...sent.flatMap((s) => [
              { hash: 'dispatches' as const, id: s.dispatch.id, value: { ...s.dispatch, version: 1 } },
              { hash: 'resources' as const, id: s.resource.id, value: s.resource },
            ]),
          ],
          // operation.activated first: the after-action record starts at it. Then the same events
          // as dispatching one by one would give, the operation's own update once, at the end.
          events: [
            { type: 'operation.activated', actor, data: op },
            { type: 'incident.updated', actor, data: inc },
            modeEvent(m, actor),
            ...sent.flatMap((s): PendingEvent[] => [
              { type: 'dispatch.created', actor, data: s.dispatch },
              { type: 'resource.updated', actor, data: s.resource },
            ]),
            ...(sent.length ? [{ type: 'operation.updated' as const, actor, data: dispatched }] : []),
          ],
        };
        return { plan: commit, result: op };
      },
      { clock: () => t0, beforeFirstCommit: () => ctx.timers },
    );
    return { id: op.id, dispatchIds };
  }

  /** One `task.due` timer per task, due when the operation's task will be (t0 + its minutes). */
  private async scheduleTimers(operationId: string, plan: Plan, t0: Date): Promise<void> {
    const now = this.clock().getTime();
    await Promise.all(
      plan.tasks.map((t) =>
        this.timers.add('task.due', { operationId, taskId: t.id }, taskDueJobId(operationId, t.id), {
          delay: Math.max(0, t0.getTime() + t.dueMinutes * 60_000 - now),
        }),
      ),
    );
  }

  private async removeTimers(operationId: string, plan: Plan): Promise<void> {
    await Promise.all(plan.tasks.map((t) => this.timers.remove(taskDueJobId(operationId, t.id))));
  }

  /** Manual switch, with a reason for the record. Peacetime while operations run would be a lie. */
  async switchMode(input: { state: 'peacetime' | 'wartime'; reason: string }, actor: string): Promise<Mode> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const mode = await this.state.getMode();
        if (mode.state === input.state) throw conflict(`the district is already in ${input.state}`);
        if (input.state === 'peacetime' && mode.operationIds.length > 0) {
          throw conflict(`stand down the operations first (${mode.operationIds.join(', ')})`);
        }
        const m = nextMode(mode, {
          state: input.state,
          operationIds: mode.operationIds,
          reason: input.reason,
          actor,
          now,
        });
        return {
          plan: {
            expect: [{ hash: 'meta', id: 'mode', version: expectedVersion(mode.version) }],
            put: [{ hash: 'meta', id: 'mode', value: m }],
            events: [modeEvent(m, actor)],
          },
          result: m,
        };
      },
      { clock: this.clock },
    );
    const { version: _v, ...mode } = result;
    return mode;
  }

  async updateTask(
    operationId: string,
    taskId: string,
    patch: { status: TaskStatus; note?: string },
    actor: string,
  ): Promise<OperationTask> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const op = await this.get(operationId);
        if (op.status !== 'active') throw conflict(`operation ${op.id} has stood down`);
        const cur = op.tasks.find((t) => t.id === taskId);
        if (!cur) throw notFound(`task ${taskId} of operation ${operationId}`);
        const at = now.toISOString();
        const done = patch.status === 'done';
        const task: OperationTask = {
          ...cur,
          status: patch.status,
          doneAt: done ? (cur.status === 'done' && cur.doneAt ? cur.doneAt : at) : null,
          // Past due and not done is overdue whether or not the timer has fired yet.
          overdue: cur.overdue || (!done && now.getTime() >= Date.parse(cur.dueAt)),
          ...(patch.note !== undefined ? { note: patch.note } : {}),
          updatedBy: actor,
          updatedAt: at,
        };
        const next: Operation = {
          ...op,
          tasks: op.tasks.map((t) => (t.id === taskId ? task : t)),
          version: op.version + 1,
        };
        return {
          plan: {
            expect: [{ hash: 'operations', id: op.id, version: op.version }],
            put: [{ hash: 'operations', id: op.id, value: next }],
            events: [taskEvent(next, task, actor), { type: 'operation.updated', actor, data: next }],
          },
          result: task,
        };
      },
      { clock: this.clock },
    );
    return result;
  }

  /**
   * The `task.due` job. Marks the task overdue if it is not done; a second run, a stood-down
   * operation or an operation that was never committed change nothing.
   */
  async taskDue(job: { operationId: string; taskId: string }): Promise<{ outcome: string }> {
    const { result } = await commitWithRetry<string>(
      this.store,
      async (now) => {
        const op = await this.state.getOperation(job.operationId);
        const cur = op?.tasks.find((t) => t.id === job.taskId);
        const noop = (outcome: string) => ({ plan: null, result: outcome });
        if (!op || !cur) return noop('gone');
        if (op.status !== 'active') return noop('stood_down');
        if (cur.status === 'done' || cur.overdue) return noop('unchanged');
        // BullMQ never fires early by its own clock; a skewed one here gets a retry, not a lie.
        if (now.getTime() < Date.parse(cur.dueAt) - 1000) throw new Error(`task ${cur.id} not due yet`);
        const task: OperationTask = {
          ...cur,
          overdue: true,
          updatedBy: TIMER_ACTOR,
          updatedAt: now.toISOString(),
        };
        const next: Operation = {
          ...op,
          tasks: op.tasks.map((t) => (t.id === cur.id ? task : t)),
          version: op.version + 1,
        };
        return {
          plan: {
            expect: [{ hash: 'operations', id: op.id, version: op.version }],
            put: [{ hash: 'operations', id: op.id, value: next }],
            events: [
              taskEvent(next, task, TIMER_ACTOR),
              { type: 'operation.updated', actor: TIMER_ACTOR, data: next },
            ],
          },
          result: 'overdue',
        };
      },
      { clock: this.clock },
    );
    return { outcome: result };
  }

  /**
   * Ends the operation and releases its resources: whatever is still out goes to `returning`
   * (the lifecycle stays truthful: it is driving home; liaison or the simulator marks it
   * available on arrival). The mode returns to peacetime when no other operation is active.
   */
  async standDown(operationId: string, input: { summary?: string }, actor: string): Promise<Operation> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const op = await this.get(operationId);
        if (op.status !== 'active') throw conflict(`operation ${op.id} has already stood down`);
        const at = now.toISOString();
        const [mode, incident, resources] = await Promise.all([
          this.state.getMode(),
          this.state.getIncident(op.incidentId),
          Promise.all(op.resourceIds.map((r) => this.state.getResource(r))),
        ]);
        const released: Resource[] = [];
        const expect: CommitPlan['expect'] = [
          { hash: 'operations', id: op.id, version: op.version },
          { hash: 'meta', id: 'mode', version: expectedVersion(mode.version) },
        ];
        for (const r of resources) {
          if (!r || r.operationId !== op.id) continue;
          if (r.status === 'available' || r.status === 'out_of_service' || r.status === 'returning') continue;
          expect.push({ hash: 'resources', id: r.id, version: r.version });
          released.push({ ...r, status: 'returning', updatedAt: at, version: r.version + 1 });
        }
        const next: Operation = {
          ...op,
          status: 'stood_down',
          stoodDownAt: at,
          stoodDownBy: actor,
          ...(input.summary ? { summary: input.summary } : {}),
          version: op.version + 1,
        };
        const left = mode.operationIds.filter((o) => o !== op.id);
        const m = nextMode(mode, {
          state: left.length === 0 ? 'peacetime' : 'wartime',
          operationIds: left,
          reason: `行动结束：${op.name}`,
          actor,
          now,
        });
        const put: CommitPlan['put'] = [
          { hash: 'operations', id: op.id, value: next },
          { hash: 'meta', id: 'mode', value: m },
          ...released.map((r) => ({ hash: 'resources' as const, id: r.id, value: r })),
        ];
        const events: PendingEvent[] = [];
        if (incident) {
          const inc: Incident = {
            ...incident,
            updatedAt: at,
            lastAction: {
              at,
              action: 'operation_stood_down',
              actor,
              note: `${op.planName} (${op.id})`,
              ref: op.id,
            },
            version: incident.version + 1,
          };
          expect.push({ hash: 'incidents', id: inc.id, version: incident.version });
          put.push({ hash: 'incidents', id: inc.id, value: inc });
          events.push({ type: 'incident.updated', actor, data: inc });
        }
        events.push(...released.map((r): PendingEvent => ({ type: 'resource.updated', actor, data: r })));
        events.push(modeEvent(m, actor));
        // Last on purpose: the after-action record's timeline ends at this event.
        events.push({ type: 'operation.stood_down', actor, data: next });
        return { plan: { expect, put, events }, result: next };
      },
      { clock: this.clock },
    );
    // The timers of unfinished tasks would find a stood-down operation and do nothing; drop them.
    await Promise.all(result.tasks.map((t) => this.timers.remove(taskDueJobId(result.id, t.id))));
    return result;
  }
}
