import type { LngLat } from '../../shared/common.ts';
import type { Operation } from '../../shared/operation.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import { RESOURCE_TRANSITIONS, type Resource, type ResourceStatus } from '../../shared/resource.ts';
import type { CommitPlan, EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import { conflict, notFound } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';
import { dispatchResourceTo } from './dispatch-record.ts';

/** Statuses in which a resource no longer serves an incident. */
const UNASSIGNED: readonly ResourceStatus[] = ['available', 'out_of_service'];

/** Dispatching resources and moving them through their lifecycle. */
export class DispatchService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** Items that left Redis: a command on one answers as on the finished item. */
    private readonly archived: ArchivedRecords,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The resource's version is checked in the commit: of two commanders dispatching the same
   * resource at once, one commits, the other re-reads a dispatched resource and gets its 409.
   */
  async dispatch(input: { resourceId: string; incidentId: string }, actor: string): Promise<{ id: string }> {
    const id = newId('DSP');
    await commitWithRetry(
      this.store,
      async (now) => {
        const resource = await this.state.getResource(input.resourceId);
        if (!resource) throw notFound(`resource ${input.resourceId}`);
        const resolved = await this.state.resolveIncidentId(input.incidentId);
        const incident = await this.state.getIncident(resolved);
        if (!incident) {
          // Archived: a closed case takes no dispatch.
          const rec = await this.archived.incident(resolved);
          if (rec) throw conflict(`incident ${rec.id} is ${rec.status}`);
          throw notFound(`incident ${input.incidentId}`);
        }
        if (incident.status === 'closed') throw conflict(`incident ${incident.id} is closed`);
        let op: Operation | null = null;
        for (const opId of incident.operationIds) {
          const o = await this.state.getOperation(opId);
          if (o?.status === 'active') op = o;
        }
        const { dispatch, resource: r } = dispatchResourceTo(resource, incident, {
          id,
          operationId: op?.id ?? null,
          at: now.toISOString(),
          actor,
        });
        const plan: CommitPlan = {
          // The incident too: an operation activated on it meanwhile must own this dispatch.
          expect: [
            { hash: 'dispatches', id, version: null },
            { hash: 'resources', id: r.id, version: resource.version },
            { hash: 'incidents', id: incident.id, version: incident.version },
          ],
          put: [
            { hash: 'dispatches', id, value: { ...dispatch, version: 1 } },
            { hash: 'resources', id: r.id, value: r },
          ],
          events: [
            { type: 'dispatch.created', actor, data: dispatch },
            { type: 'resource.updated', actor, data: r },
          ],
        };
        if (op) {
          const next: Operation = {
            ...op,
            resourceIds: op.resourceIds.includes(r.id) ? op.resourceIds : [...op.resourceIds, r.id],
            version: op.version + 1,
          };
          plan.expect!.push({ hash: 'operations', id: op.id, version: op.version });
          plan.put!.push({ hash: 'operations', id: op.id, value: next });
          plan.events.push({ type: 'operation.updated', actor, data: next });
        }
        return { plan, result: undefined };
      },
      { clock: this.clock },
    );
    return { id };
  }

  /**
   * A status change along RESOURCE_TRANSITIONS. `dispatched` is reached only through a dispatch
   * (a commander's act, with its record), never by patching. Back to `available` the resource
   * drops its assignment and is home again unless a position is given.
   */
  async update(
    resourceId: string,
    patch: { status: ResourceStatus; location?: LngLat },
    actor: string,
  ): Promise<Resource> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const cur = await this.state.getResource(resourceId);
        if (!cur) throw notFound(`resource ${resourceId}`);
        if (patch.status === 'dispatched') throw conflict('dispatch a resource with POST /api/v1/dispatches');
        // The same status with a new position is a move (a unit on its way), not a transition.
        const moving =
          patch.status === cur.status && patch.location !== undefined && patch.status !== 'available';
        if (!moving && !RESOURCE_TRANSITIONS[cur.status].includes(patch.status)) {
          throw conflict(`a resource cannot go from ${cur.status} to ${patch.status}`);
        }
        const release = UNASSIGNED.includes(patch.status);
        const r: Resource = {
          ...cur,
          status: patch.status,
          location: patch.location ?? (patch.status === 'available' ? cur.home : cur.location),
          ...(release ? { incidentId: null, operationId: null, dispatchId: null } : {}),
          updatedAt: now.toISOString(),
          version: cur.version + 1,
        };
        const events: PendingEvent[] = [{ type: 'resource.updated', actor, data: r }];
        return {
          plan: {
            expect: [{ hash: 'resources', id: r.id, version: cur.version }],
            put: [{ hash: 'resources', id: r.id, value: r }],
            events,
          },
          result: r,
        };
      },
      { clock: this.clock },
    );
    return result;
  }
}
