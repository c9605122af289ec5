import type { FieldReport, Incident } from '../../shared/incident.ts';
import { truncate } from '../../shared/text.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import type { ArchivedRecords } from '../history/archive.service.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import { conflict, notFound } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';

/** History notes quote the report (in code points, cut on a grapheme); the report keeps the full text. */
const NOTE_CHARS = 140;

/** Field reports from liaison staff: the report and the incident's history, in one commit. */
export class ReportService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    /** Items that left Redis: a command on one answers as on the finished item. */
    private readonly archived: ArchivedRecords,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(incidentId: string, text: string, actor: string): Promise<FieldReport> {
    const id = newId('RPT');
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const resolved = await this.state.resolveIncidentId(incidentId);
        const cur = await this.state.getIncident(resolved);
        if (!cur) {
          // Archived: a closed case's record takes no more reports.
          const rec = await this.archived.incident(resolved);
          if (rec) throw conflict(`incident ${rec.id} is ${rec.status}`);
          throw notFound(`incident ${incidentId}`);
        }
        const at = now.toISOString();
        const report: FieldReport = { id, incidentId: cur.id, text, actor, at };
        const note = truncate(text, NOTE_CHARS + 1);
        const inc: Incident = {
          ...cur,
          updatedAt: at,
          lastAction: { at, action: 'field_report', actor, note, ref: id },
          version: cur.version + 1,
        };
        return {
          plan: {
            expect: [
              { hash: 'reports', id, version: null },
              { hash: 'incidents', id: cur.id, version: cur.version },
            ],
            put: [
              { hash: 'reports', id, value: { ...report, version: 1 } },
              { hash: 'incidents', id: cur.id, value: inc },
            ],
            events: [
              { type: 'report.created', actor, data: report },
              { type: 'incident.updated', actor, data: inc },
            ],
          },
          result: report,
        };
      },
      { clock: this.clock },
    );
    return result;
  }

  async list(incidentId: string): Promise<FieldReport[]> {
    const id = await this.state.resolveIncidentId(incidentId);
    if (!(await this.state.getIncident(id))) throw notFound(`incident ${incidentId}`);
    return this.state.listReports(id);
  }
}
