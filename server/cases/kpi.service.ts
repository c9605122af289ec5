import { CATEGORY_NAMES } from '../../shared/category.ts';
import type { IncidentCategory } from '../../shared/category.ts';
import type { Department, ScoreWeights } from '../../shared/case-rules.ts';
import type { GridCollection } from '../../shared/grid.ts';
import type { User } from '../../shared/identity.ts';
import type { KpiAnswer, KpiGroupBy, KpiQuery, KpiRow } from '../../shared/kpi.ts';
import { kpiRates, type KpiCounts } from './kpi-definitions.ts';
import type { KpiRepository } from './kpi.repository.ts';
import { scopeOf } from '../identity/scope.ts';

/** The key of the row of cases with no street (outside every street) or not yet dispatched. */
export const NO_KEY = 'none';
const NO_NAME: Record<KpiGroupBy, string> = {
  street: '未落入街道',
  department: '未派遣',
  category: '未分类',
  day: '无日期',
};

/** Where the weights of the score come from: the case rules in force (the container's wiring). */
export type WeightsSource = () => Promise<ScoreWeights>;

/** Who is asking: a scoped role sees its own street's or department's cases only. */
export type KpiViewer = Pick<User, 'role' | 'streetId' | 'departmentId'>;

/**
 * `GET /api/v1/kpis`: the figures of the cases accepted in `[from, to)`, grouped, with the total.
 * Counts come from the history database's `case_facts` (as of the projection: at most the
 * projection lag behind the log); rates and the score from the reference `kpiRates`, with the
 * weights in force now.
 */
export class KpiService {
  private readonly streetNames: Map<string, string>;
  private readonly departmentNames: Map<string, string>;

  constructor(
    private readonly repo: Pick<KpiRepository, 'counts'>,
    grids: GridCollection,
    departments: Department[],
    private readonly weights: WeightsSource,
    private readonly clock: () => number = Date.now,
  ) {
    this.streetNames = new Map(
      grids.features
        .filter((f) => f.properties.level === 'street')
        .map((f) => [f.properties.id, f.properties.name]),
    );
    this.departmentNames = new Map(departments.map((d) => [d.id, d.name]));
  }

  /** `viewer` absent: the whole district, for the server's own reads (the reports). */
  async kpis(q: KpiQuery, viewer?: KpiViewer): Promise<KpiAnswer> {
    const from = new Date(q.from).toISOString();
    const to = new Date(q.to).toISOString();
    const [weights, { groups, total }] = await Promise.all([
      this.weights(),
      this.repo.counts(
        { from, to },
        q.groupBy,
        viewer ? scopeOf(viewer) : { kind: 'all' },
        new Date(this.clock()),
      ),
    ]);
    const row = (key: string, name: string, counts: KpiCounts): KpiRow => ({
      key,
      name,
      ...counts,
      ...kpiRates(counts, weights),
    });
    return {
      from,
      to,
      groupBy: q.groupBy,
      weights,
      // In key order (days in time order), the row without a key last: sorted here, not by the
      // database's collation, so the order is the same on every server.
      rows: [...groups]
        .sort((a, b) =>
          a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1,
        )
        .map((g) =>
          g.key === null
            ? row(NO_KEY, NO_NAME[q.groupBy], g.counts)
            : row(g.key, this.nameOf(q.groupBy, g.key), g.counts),
        ),
      total: row('total', '合计', total),
    };
  }

  /** A key's name as the district writes it; an id no longer known keeps its id as its name. */
  private nameOf(groupBy: KpiGroupBy, key: string): string {
    switch (groupBy) {
      case 'street':
        return this.streetNames.get(key) ?? key;
      case 'department':
        return this.departmentNames.get(key) ?? key;
      case 'category':
        return CATEGORY_NAMES[key as IncidentCategory]?.zh ?? key;
      case 'day':
        return key;
    }
  }
}
