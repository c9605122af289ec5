import type { Transaction } from 'kysely';
import type { KpiReport } from '../../shared/kpi.ts';
import type { HistoryTables, KpiReportsTable } from './db.ts';
import { pgJson, pgText } from './pg-text.ts';

/**
 * The `kpi_reports` read model (`kpi_report.created`), kept apart from read-models.ts, which
 * only collects the rows and calls the writer. A report is written once: its id is
 * deterministic for scheduled reports, so a doubled job's event (if one ever got past the
 * idempotency key) changes nothing.
 */
export function kpiReportRow(report: KpiReport, seq: number): KpiReportsTable {
  return {
    id: report.id,
    kind: report.kind,
    from: report.from,
    to: report.to,
    created_at: report.createdAt,
    created_by: pgText(report.createdBy),
    seq,
    data: report,
  };
}

export async function writeKpiReports(
  trx: Transaction<HistoryTables>,
  rows: Iterable<KpiReportsTable>,
): Promise<void> {
  const all = [...rows];
  // A report is some 30 kB; a batch holds few of them.
  for (let i = 0; i < all.length; i += 100)
    await trx
      .insertInto('kpi_reports')
      .values(all.slice(i, i + 100).map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
}
