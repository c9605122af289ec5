import type {
  KpiAnswer,
  KpiGroupBy,
  KpiReport,
  KpiReportInput,
  KpiReportMeta,
  KpiQuery,
} from '../../shared/kpi.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { KpiReportRepository } from '../history/kpi-report.repository.ts';
import type { EventStore } from '../log/event-store.ts';
import { notFound } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';
import type { KpiViewer } from './kpi.service.ts';
import { scheduledWindow, type ScheduledKind } from './report-windows.ts';

/** What a report needs of the KPI read model: the figures of `GET /api/v1/kpis` (KpiService). */
export type KpiSource = { kpis(q: KpiQuery, viewer: KpiViewer): Promise<KpiAnswer> };
/** The footage totals of a window (FootageService): requests made in it, hours delivered. */
export type FootageTotalsSource = {
  totals(from: string, to: string): Promise<{ count: number; hours: number }>;
};
/** A report is the district's: the figures as an operator (any unscoped role) sees them. */
const DISTRICT: KpiViewer = { role: 'duty' };

/** Who made a scheduled report, on its event and in the report. */
export const SCHEDULER_ACTOR = 'system:scheduler';
/** How much of the stream above the projected seq a read looks through for reports not yet in the database. */
const UNPROJECTED_SCAN = 5_000;
const GROUPS: readonly KpiGroupBy[] = ['street', 'department', 'category'];

/**
 * KPI reports (报表): the figures of a window by street, department and category, and the total,
 * exactly as `GET /api/v1/kpis` answers them at the moment the report is made. Making one is a
 * command through the one write path (a `kpi_report.created` event, no Redis state); the
 * projector writes it to `kpi_reports`, and lists and reads come from there. A scheduled report's
 * id is fixed by its kind and window, and the commit carries that id as its idempotency key, so a
 * retried or doubled run makes one report (and one that already exists is not computed again).
 */
export class KpiReportService {
  constructor(
    private readonly store: EventStore,
    private readonly kpi: KpiSource,
    private readonly repo: KpiReportRepository,
    /** The seq the database holds up to (the server's projector); null where none runs. */
    private readonly projectedSeq: (() => number) | null,
    private readonly now: () => number = Date.now,
    private readonly footage: FootageTotalsSource | null = null,
  ) {}

  /** The run of a job scheduler (`kpi_report.scheduled`) that was due at `scheduledAt`. */
  async scheduled(kind: ScheduledKind, scheduledAt: number): Promise<{ id: string; created: boolean }> {
    const w = scheduledWindow(kind, scheduledAt);
    if (await this.repo.get(w.id)) return { id: w.id, created: false };
    return this.make({ id: w.id, kind, from: w.from, to: w.to }, SCHEDULER_ACTOR);
  }

  /** `POST /api/v1/reports`: a window of the operator's choosing, made now. */
  async custom(input: KpiReportInput, actor: string): Promise<KpiReport> {
    const { id } = await this.make(
      { id: newId('KPR'), kind: 'custom', from: input.from, to: input.to },
      actor,
    );
    return this.get(id);
  }

  private async make(
    w: { id: string; kind: KpiReport['kind']; from: string; to: string },
    actor: string,
  ): Promise<{ id: string; created: boolean }> {
    const createdAt = new Date(this.now()).toISOString();
    const [[byStreet, byDepartment, byCategory], footage] = await Promise.all([
      Promise.all(GROUPS.map((groupBy) => this.kpi.kpis({ from: w.from, to: w.to, groupBy }, DISTRICT))),
      this.footage?.totals(w.from, w.to),
    ]);
    const report: KpiReport = {
      id: w.id,
      kind: w.kind,
      from: w.from,
      to: w.to,
      createdAt,
      createdBy: actor,
      weights: byStreet.weights,
      total: byStreet.total,
      byStreet: byStreet.rows,
      byDepartment: byDepartment.rows,
      byCategory: byCategory.rows,
      ...(footage ? { footage: { count: footage.count, hours: footage.hours } } : {}),
    };
    const res = await this.store.commit({
      idempotencyKey: `kpi_report:${w.id}`,
      result: w.id,
      events: [{ type: 'kpi_report.created', actor, data: report }],
    });
    if (res.status === 'conflict') throw new Error(`kpi report ${w.id}: unexpected conflict`);
    return { id: w.id, created: res.status === 'ok' };
  }

  /** Newest first: the database's, with any made in the moment before it projected them. */
  async list(limit = 500): Promise<KpiReportMeta[]> {
    const [stored, recent] = await Promise.all([this.repo.list(limit), this.unprojected()]);
    const seen = new Set(stored.map((r) => r.id));
    const all = [...stored, ...recent.filter((r) => !seen.has(r.id)).map(meta)];
    all.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    return all.slice(0, limit);
  }

  async get(id: string): Promise<KpiReport> {
    const stored = await this.repo.get(id);
    if (stored) return stored;
    const recent = (await this.unprojected()).find((r) => r.id === id);
    if (!recent) throw notFound(`report ${id}`);
    return recent;
  }

  /**
   * Reports in the stream above what the database holds: a report answers from the moment its
   * commit returns, not only once projected. Bounded: normally the projector is milliseconds
   * behind.
   */
  private async unprojected(): Promise<KpiReport[]> {
    if (!this.projectedSeq) return [];
    const from = this.projectedSeq();
    const events: LiveEvent[] = await this.store.readAfter(from, UNPROJECTED_SCAN);
    return events.flatMap((e) => (e.type === 'kpi_report.created' ? [e.data] : []));
  }
}

const meta = (r: KpiReport): KpiReportMeta => ({
  id: r.id,
  kind: r.kind,
  from: r.from,
  to: r.to,
  createdAt: r.createdAt,
});
