import type { Incident } from '../../shared/incident.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import { conflict, notFound } from '../infra/domain-errors.ts';

/**
 * Acknowledging an alarm (issue 13: "acknowledging is one click and is audited"): the incident
 * records who acknowledged it and when, in one commit with its `incident.updated`, so every
 * console drops the alarm and the audit trail names the operator. The first acknowledgement
 * stands: a second one (another console, a double click, a retry) answers the incident as it is
 * and writes nothing, so the record keeps who reacted first.
 */
export class AcknowledgeService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** Incidents that left Redis: a closed case takes no more commands (409). */
    private readonly archived: ArchivedRecords,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async acknowledge(incidentId: string, actor: string): Promise<Incident> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const resolved = await this.state.resolveIncidentId(incidentId);
        const cur = await this.state.getIncident(resolved);
        if (!cur) {
          const rec = await this.archived.incident(resolved);
          if (rec) throw conflict(`incident ${rec.id} is ${rec.status}`);
          throw notFound(`incident ${incidentId}`);
        }
        // Already acknowledged: nothing to write (an empty plan commits no event).
        if (cur.acknowledgedAt) return { plan: null, result: cur };
        const at = now.toISOString();
        const inc: Incident = {
          ...cur,
          acknowledgedAt: at,
          acknowledgedBy: actor,
          updatedAt: at,
          lastAction: { at, action: 'acknowledged', actor },
          version: cur.version + 1,
        };
        return {
          plan: {
            expect: [{ hash: 'incidents', id: cur.id, version: cur.version }],
            put: [{ hash: 'incidents', id: cur.id, value: inc }],
            events: [{ type: 'incident.updated', actor, data: inc }],
          },
          result: inc,
        };
      },
      { clock: this.clock },
    );
    return result;
  }
}
