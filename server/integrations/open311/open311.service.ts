/**
 * Open311 GeoReport v2 over our pipeline and record: a `POST requests` goes through the same
 * durable intake as `POST /api/v1/incidents` (IntakeService: rate limit, queue, `202`-durability),
 * and reads come from the record (RecordService for one request, aliases followed; the `cases`
 * read model for lists). No framework here: errors are domain errors, the routes render them in
 * the spec's format.
 */
import { CATEGORY_NAMES } from '../../../shared/category.ts';
import type { Incident, IncidentRecord } from '../../../shared/incident.ts';
import type { RecordService } from '../../history/record.service.ts';
import type { IntakeService } from '../../intake/intake.service.ts';
import { DomainError, invalid, notFound } from '../../infra/domain-errors.ts';
import type { Open311Repository } from './open311.repository.ts';
import { intakeFromOpen311, type Open311RequestForm, type Open311RequestQuery } from './request-input.ts';
import { open311Request, type Open311Request } from './request-view.ts';
import { isServiceCode, open311Services, serviceDefinition } from './services.ts';

/** The spec's defaults for `GET requests`: the last 90 days, at most 1000 requests. */
export const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;
export const MAX_REQUESTS = 1000;

/** What a citizen is told once the request is durably queued. */
export const SERVICE_NOTICE = '已受理，核实后派遣处置 · Received; it will be verified and dispatched';

export type Open311Receipt = {
  service_request_id: string;
  service_notice: string;
  account_id: string | null;
};

/**
 * Whether `actor` sent the report `id`: the case it created (accepted under that id) or the report
 * it merged into another case (`merged`, ref = that id). The actor is on the history entry the
 * pipeline wrote from the intake job, so it is the integration's name.
 */
export function filedBy(rec: IncidentRecord, id: string, actor: string): boolean {
  return rec.history.some(
    (h) =>
      h.actor === actor &&
      ((h.action === 'accepted' && rec.id === id) || (h.action === 'merged' && h.ref === id)),
  );
}

export class Open311Service {
  constructor(
    private readonly intake: Pick<IntakeService, 'submitIncident'>,
    private readonly records: Pick<RecordService, 'incident'>,
    private readonly repo: Pick<Open311Repository, 'requests'>,
    /** The actor an intake key names (`integration-N`), or null for a key that is none. */
    private readonly keyActor: (key: string) => string | null,
    private readonly departmentName: (id: string) => string | undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Every write and every read of requests needs an intake key: `403` in the spec's terms. */
  actorFor(apiKey: string | undefined): string {
    const actor = apiKey ? this.keyActor(apiKey) : null;
    if (!actor)
      throw new DomainError(
        403,
        'forbidden',
        apiKey ? 'api_key is not valid' : 'api_key is required (an intake key of this district)',
      );
    return actor;
  }

  services() {
    return open311Services();
  }

  service(code: string) {
    if (!isServiceCode(code)) throw notFound(`service_code ${code}`);
    return serviceDefinition(code);
  }

  /** Queued durably before it answers; the id is the one the pipeline gives the case. */
  async submit(form: Open311RequestForm, actor: string): Promise<Open311Receipt[]> {
    const code = form.service_code as keyof typeof CATEGORY_NAMES;
    const { id } = await this.intake.submitIncident(intakeFromOpen311(form, CATEGORY_NAMES[code].zh), actor);
    return [{ service_request_id: id, service_notice: SERVICE_NOTICE, account_id: form.account_id ?? null }];
  }

  /**
   * One request as the spec's one-element list. A report merged into an earlier case is that
   * case under the id the client was given (its `status_notes` says where it went). Only the
   * integration that filed it may read it: another key's request is `404`, as an unknown one
   * (existence is not revealed).
   */
  async request(id: string, actor: string): Promise<Open311Request[]> {
    const found = await this.find(id, actor);
    if (!found) throw notFound(`service_request_id ${id}`);
    return [found];
  }

  /** The requests this integration filed (every other key's are left out, as if none). */
  async requests(q: Open311RequestQuery, actor: string): Promise<Open311Request[]> {
    // The spec: a list of ids overrides every other filter.
    if (q.service_request_id?.length) {
      const ids = [...new Set(q.service_request_id)];
      return (await Promise.all(ids.map((id) => this.find(id, actor)))).filter((r) => r !== null);
    }
    const end = q.end_date ? Date.parse(q.end_date) : this.clock().getTime();
    const start = q.start_date ? Date.parse(q.start_date) : end - DEFAULT_WINDOW_MS;
    if (start > end) throw invalid('start_date', 'start_date is after end_date');
    const statuses = new Set(q.status ?? []);
    const cases = await this.repo.requests({
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      ...(q.service_code?.length ? { categories: q.service_code } : {}),
      // Both statuses, or none named: no filter.
      ...(statuses.size === 1 ? { status: [...statuses][0] } : {}),
      filedBy: actor,
      limit: MAX_REQUESTS,
    });
    return cases.map((c) => this.view(c));
  }

  private async find(id: string, actor: string): Promise<Open311Request | null> {
    const rec = await this.records.incident(id);
    if (!rec || !filedBy(rec, id, actor)) return null;
    const view = this.view(rec);
    if (rec.id === id) return view;
    return {
      ...view,
      service_request_id: id,
      status_notes: `${view.status_notes} · 已并入 ${rec.id} merged`,
    };
  }

  private view(c: Incident): Open311Request {
    return open311Request(c, this.departmentName);
  }
}
