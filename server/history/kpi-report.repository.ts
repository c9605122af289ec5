import type { KpiReport, KpiReportMeta } from '../../shared/kpi.ts';
import type { HistoryDb } from './db.ts';

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/** Reads of the `kpi_reports` read model (`GET /api/v1/reports`, `…/:id`). */
export class KpiReportRepository {
  constructor(private readonly db: HistoryDb) {}

  /** Newest first (by when it was made). */
  async list(limit: number): Promise<KpiReportMeta[]> {
    const rows = await this.db
      .selectFrom('kpi_reports')
      .select(['id', 'kind', 'from', 'to', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as KpiReportMeta['kind'],
      from: iso(r.from),
      to: iso(r.to),
      createdAt: iso(r.created_at),
    }));
  }

  async get(id: string): Promise<KpiReport | null> {
    const row = await this.db
      .selectFrom('kpi_reports')
      .select('data')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (row.data as KpiReport) : null;
  }
}
