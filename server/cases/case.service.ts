import { IncidentStatus, type Incident, type IncidentPatch } from '../../shared/incident.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import { conflict, notFound } from '../infra/domain-errors.ts';

const ORDER = IncidentStatus.options;

/**
 * The peacetime case lifecycle (accepted → verified → dispatched → handled → inspected → closed).
 * Steps only go forward; a closed case leaves the open-incident index, so new reports nearby open
 * a new case instead of merging into a finished one.
 */
export class CaseService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** Items that left Redis: a command on one answers as on the finished item. */
    private readonly archived: ArchivedRecords,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async advance(requestedId: string, patch: IncidentPatch, actor: string): Promise<Incident> {
    const id = await this.state.resolveIncidentId(requestedId);
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const cur = await this.state.getIncident(id);
        if (!cur) {
          // Archived: it was closed, and the same answer as on the closed case in Redis follows.
          const rec = await this.archived.incident(id);
          if (rec) throw conflict(`incident ${rec.id} is ${rec.status}; it cannot go to ${patch.status}`);
          throw notFound(`incident ${requestedId}`);
        }
        if (ORDER.indexOf(patch.status) <= ORDER.indexOf(cur.status)) {
          throw conflict(`incident ${id} is ${cur.status}; it cannot go to ${patch.status}`);
        }
        if (patch.status === 'closed') {
          const ops = await Promise.all(cur.operationIds.map((o) => this.state.getOperation(o)));
          if (ops.some((o) => o?.status === 'active'))
            throw conflict('stand the operation down before closing');
        }
        const at = now.toISOString();
        const next: Incident = {
          ...cur,
          status: patch.status,
          updatedAt: at,
          lastAction: { at, action: patch.status, actor, ...(patch.note ? { note: patch.note } : {}) },
          version: cur.version + 1,
        };
        return {
          result: next,
          plan: {
            expect: [{ hash: 'incidents', id, version: cur.version }],
            put: [{ hash: 'incidents', id, value: next }],
            ...(patch.status === 'closed' ? { geoRem: [id] } : {}),
            events: [{ type: 'incident.updated', actor, data: next }],
          },
        };
      },
      { clock: this.clock },
    );
    return result;
  }
}
