import { sql, type RawBuilder } from 'kysely';
import type { KpiGroupBy } from '../../shared/kpi.ts';
import type { HistoryDb } from '../history/db.ts';
import type { KpiCounts } from './kpi-definitions.ts';
import type { Scope } from '../identity/scope.ts';

/**
 * Which cases count: all, or a scoped user's own street or department; null (a scoped user bound
 * to nothing) none. The shape of `server/identity/scope.ts`'s `Scope | null`.
 */
export type KpiScope = Scope | null;

/** One group's counts: `key` null is the cases without a street (or not yet dispatched). */
export type KpiGroupCounts = { key: string | null; counts: KpiCounts };

/** The key each groupBy puts a case under (days: Asia/Shanghai's, stored by `caseFacts`). */
const KEY: Record<KpiGroupBy, RawBuilder<string | null>> = {
  street: sql`street_id`,
  department: sql`department_id`,
  category: sql`category`,
  day: sql`accepted_day`,
};

type Row = {
  key: string | null;
  is_total: number;
  accepted: number;
  voided: number;
  dispatched: number;
  handled: number;
  handled_on_time: number;
  reworks: number;
  extended: number;
  deferred: number;
  closed: number;
  closed_on_time: number;
  overdue_open: number;
};

/**
 * The KPI counts from `case_facts`, counted and grouped by the database in one pass over the
 * window (`GROUPING SETS`: every group and the total together). Each count sums the per-case
 * flags `caseFacts` derived with the reference definitions; the only thing decided here is
 * `overdueOpen`'s moment, `current_due_at < now`.
 */
export class KpiRepository {
  constructor(private readonly db: HistoryDb) {}

  async counts(
    window: { from: string; to: string },
    groupBy: KpiGroupBy,
    scope: KpiScope,
    now: Date,
  ): Promise<{ groups: KpiGroupCounts[]; total: KpiCounts }> {
    const key = KEY[groupBy];
    const inScope =
      scope === null
        ? sql`and false`
        : scope.kind === 'street'
          ? sql`and street_id = ${scope.streetId}`
          : scope.kind === 'department'
            ? sql`and department_id = ${scope.departmentId}`
            : sql``;
    const { rows } = await sql<Row>`
      select ${key} as key,
        grouping(${key}) as is_total,
        count(*)::int as accepted,
        count(*) filter (where voided)::int as voided,
        count(*) filter (where ever_dispatched)::int as dispatched,
        count(*) filter (where ever_handled)::int as handled,
        count(*) filter (where handled_on_time)::int as handled_on_time,
        coalesce(sum(reworks), 0)::int as reworks,
        count(*) filter (where extended)::int as extended,
        count(*) filter (where deferred)::int as deferred,
        count(*) filter (where closed)::int as closed,
        count(*) filter (where closed_on_time)::int as closed_on_time,
        count(*) filter (where current_due_at < ${now.toISOString()}::timestamptz)::int as overdue_open
      from case_facts
      where accepted_at >= ${window.from}::timestamptz and accepted_at < ${window.to}::timestamptz
        ${inScope}
      group by grouping sets ((${key}), ())`.execute(this.db);
    const groups: KpiGroupCounts[] = [];
    let total: KpiCounts = countsOf(undefined);
    for (const r of rows) {
      if (Number(r.is_total) === 1) total = countsOf(r);
      else groups.push({ key: r.key, counts: countsOf(r) });
    }
    return { groups, total };
  }
}

/** A row's counts; no row (an empty window) is all zeros. */
function countsOf(r: Row | undefined): KpiCounts {
  return {
    accepted: r?.accepted ?? 0,
    voided: r?.voided ?? 0,
    dispatched: r?.dispatched ?? 0,
    handled: r?.handled ?? 0,
    handledOnTime: r?.handled_on_time ?? 0,
    reworks: r?.reworks ?? 0,
    extended: r?.extended ?? 0,
    deferred: r?.deferred ?? 0,
    closed: r?.closed ?? 0,
    closedOnTime: r?.closed_on_time ?? 0,
    overdueOpen: r?.overdue_open ?? 0,
  };
}
