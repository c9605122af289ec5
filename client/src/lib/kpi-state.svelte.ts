/**
 * The peacetime wall's figures (GET /api/v1/kpis): today's and this month's totals, the street
 * and department rankings of the month, and the 30-day trend. Refreshed when case events arrive
 * (debounced: a storm of events costs one round of requests), and every few minutes so the day
 * rolls over and overdue counts move on a quiet feed; never polled every second.
 */
import type { KpiAnswer, KpiRow } from '../../../shared/kpi.ts';
import { ApiError, getKpis } from './api.ts';
import { i18n } from './i18n/index.svelte.ts';
import { kpiWindows, movesKpis, ranking } from './kpi-windows.ts';
import type { LiveStore } from './live/live-store.svelte.ts';

export const KPI_DEBOUNCE_MS = 1500;
export const KPI_QUIET_REFRESH_MS = 5 * 60_000;

export class KpiState {
  today = $state.raw<KpiRow | null>(null);
  month = $state.raw<KpiRow | null>(null);
  streets = $state.raw<KpiRow[]>([]);
  departments = $state.raw<KpiRow[]>([]);
  trend = $state.raw<KpiRow[]>([]);
  weights = $state.raw<KpiAnswer['weights'] | null>(null);
  error = $state<string | null>(null);
  /** How many times the figures were loaded (tests wait on it). */
  loads = $state(0);

  private timer: ReturnType<typeof setTimeout> | null = null;
  private quiet: ReturnType<typeof setInterval> | null = null;
  private off: (() => void) | null = null;
  private running = false;
  private again = false;

  start(live: LiveStore): () => void {
    this.off = live.onChanges((_ch, applied) => {
      if (applied.some(movesKpis)) this.schedule();
    });
    this.quiet = setInterval(() => this.schedule(), KPI_QUIET_REFRESH_MS);
    void this.load();
    return () => this.stop();
  }

  stop(): void {
    this.off?.();
    this.off = null;
    if (this.timer) clearTimeout(this.timer);
    if (this.quiet) clearInterval(this.quiet);
    this.timer = this.quiet = null;
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, KPI_DEBOUNCE_MS);
  }

  async load(): Promise<void> {
    // one round at a time; events during it ask for one more round after it
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const w = kpiWindows(Date.now());
      const [today, streets, departments, trend] = await Promise.all([
        getKpis({ ...w.today, groupBy: 'street' }),
        getKpis({ ...w.month, groupBy: 'street' }),
        getKpis({ ...w.month, groupBy: 'department' }),
        getKpis({ ...w.trend, groupBy: 'day' }),
      ]);
      this.today = today.total;
      this.month = streets.total;
      this.streets = ranking(streets.rows);
      this.departments = ranking(departments.rows);
      this.trend = [...trend.rows].sort((a, b) => a.key.localeCompare(b.key));
      this.weights = streets.weights;
      this.error = null;
      this.loads++;
    } catch (e) {
      // one short line on a wall, not the request's whole URL
      this.error = i18n.t('peace.kpiError', {
        message:
          e instanceof ApiError ? (e.status ? `HTTP ${e.status}` : i18n.t('error.network')) : String(e),
      });
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
