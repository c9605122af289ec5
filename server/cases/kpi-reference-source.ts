import type { Department } from '../../shared/case-rules.ts';
import type { CaseStatus, CaseStepRecord } from '../../shared/case.ts';
import type { GridCollection } from '../../shared/grid.ts';
import type { KpiAnswer, KpiQuery, KpiRow } from '../../shared/kpi.ts';
import type { HistoryDb } from '../history/db.ts';
import { kpiCounts, kpiRates, type CaseFacts } from './kpi-definitions.ts';
import type { KpiSource } from './kpi-report.service.ts';

/**
 * STAND-IN until helper "kpi"'s KpiService is merged: the figures straight from the reference
 * definitions over every case row of the window (no read model, no scope). Reports are written
 * against `KpiSource`; the container swaps this for the real service on merge.
 */
export function referenceKpiSource(
  db: HistoryDb,
  grids: GridCollection,
  departments: Department[],
): KpiSource {
  const streetName = new Map(
    grids.features
      .filter((f) => f.properties.level === 'street')
      .map((f) => [f.properties.id, f.properties.name]),
  );
  const deptName = new Map(departments.map((d) => [d.id, d.name]));
  const weights = { timeliness: 60, closure: 30, rework: 10 };
  const row = (key: string, name: string, cases: CaseFacts[], now: number): KpiRow => {
    const k = kpiCounts(cases, now);
    return { key, name, ...k, ...kpiRates(k, weights) };
  };
  return {
    async kpis(q: KpiQuery): Promise<KpiAnswer> {
      const now = Date.now();
      const rows = await db
        .selectFrom('cases')
        .select(['data'])
        .where('created_at', '>=', q.from)
        .where('created_at', '<', q.to)
        .execute();
      const groups = new Map<string, CaseFacts[]>();
      const all: CaseFacts[] = [];
      for (const r of rows) {
        const c = r.data as {
          status: CaseStatus;
          steps?: CaseStepRecord[];
          streetId?: string;
          departmentId?: string | null;
          category: string;
          createdAt: string;
        };
        const facts = { status: c.status, steps: c.steps ?? [] };
        all.push(facts);
        const key =
          q.groupBy === 'street'
            ? c.streetId
            : q.groupBy === 'department'
              ? c.departmentId
              : q.groupBy === 'category'
                ? c.category
                : new Date(Date.parse(c.createdAt) + 8 * 3600_000).toISOString().slice(0, 10);
        if (!key) continue;
        groups.set(key, [...(groups.get(key) ?? []), facts]);
      }
      const name = (key: string) =>
        q.groupBy === 'street'
          ? (streetName.get(key) ?? key)
          : q.groupBy === 'department'
            ? (deptName.get(key) ?? key)
            : key;
      return {
        from: q.from,
        to: q.to,
        groupBy: q.groupBy,
        weights,
        rows: [...groups]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, cs]) => row(key, name(key), cs, now)),
        total: row('total', '合计', all, now),
      };
    },
  };
}
