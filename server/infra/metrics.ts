import client from 'prom-client';
import { Role } from '../../shared/common.ts';

/**
 * The Prometheus metrics of one server process. Each server gets its own Registry (tests run
 * several servers in one process; the global default registry would mix them and refuse the
 * second registration of a name). Values that other parts already keep (fan-out stats, queue
 * counts, projector status) are read at scrape time; the rest is observed as it happens.
 */

/** Where an error came from, as `pingzhan_errors_total{component}` names it. */
export type ErrorComponent = 'redis' | 'bullmq' | 'postgres';
const errorCounts: Record<ErrorComponent, number> = { redis: 0, bullmq: 0, postgres: 0 };

/**
 * Counts one error of a connection of this process. Connections are process-wide (their error
 * handlers are set where they are made, before any registry exists), so the count is too; every
 * server's registry reports it. The PostgreSQL pool's `onError` should call `countError('postgres')`.
 */
export function countError(component: ErrorComponent): void {
  errorCounts[component]++;
}

/** The process's error counts so far (tests, `/api/v1/status`). */
export function errorTotals(): Readonly<Record<ErrorComponent, number>> {
  return { ...errorCounts };
}

/** What the metrics read at scrape time; each answer may be missing (not in this process, Redis down). */
export type MetricSources = {
  queueCounts?: () => Promise<Record<string, number>>;
  /** Enqueue time (ms since epoch) of the oldest job still waiting, null when none waits. */
  oldestWaitingAt?: () => Promise<number | null>;
  projector?: () => Promise<{ lag: number; projectedSeq: number; headSeq: number } | null>;
  feed?: () => { resyncs: number; dropped: number; frames: number } | null;
  consolesByRole?: () => Record<string, number> | null;
};

const ROLES = Role.options;

/** Seconds buckets for work that takes milliseconds normally and seconds when something is wrong. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BYTES_BUCKETS = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];

export class Metrics {
  readonly registry = new client.Registry();
  private readonly responses: client.Counter<'method' | 'route' | 'status'>;
  private readonly intake: client.Counter<'kind' | 'status'>;
  private readonly commitSeconds: client.Histogram;
  private readonly commitEvents: client.Counter;
  private readonly feedLag: client.Histogram;
  private readonly frameBytes: client.Histogram;

  constructor(
    private readonly sources: MetricSources = {},
    labels: Record<string, string> = {},
  ) {
    const register = [this.registry];
    this.registry.setDefaultLabels(labels);
    // Process metrics, including nodejs_eventloop_lag_* (event-loop delay: min, mean, p50/p90/p99, max).
    client.collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });

    this.responses = new client.Counter({
      name: 'pingzhan_http_responses_total',
      help: 'HTTP answers by method, route (as declared, not the raw URL) and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: register,
    });
    this.intake = new client.Counter({
      name: 'pingzhan_intake_requests_total',
      help: 'Intake posts (incidents, video alerts) by answer: 202 accepted, 4xx refused, 503 back-pressure.',
      labelNames: ['kind', 'status'],
      registers: register,
    });
    this.commitSeconds = new client.Histogram({
      name: 'pingzhan_commit_duration_seconds',
      help: 'Time of one Lua commit (state + seq + events), as this process saw it.',
      buckets: LATENCY_BUCKETS,
      registers: register,
    });
    this.commitEvents = new client.Counter({
      name: 'pingzhan_committed_events_total',
      help: 'Events committed by this process.',
      registers: register,
    });
    this.feedLag = new client.Histogram({
      name: 'pingzhan_feed_lag_seconds',
      help: "From an event's commit (its `at`) to its broadcast frame leaving this process.",
      buckets: LATENCY_BUCKETS,
      registers: register,
    });
    this.frameBytes = new client.Histogram({
      name: 'pingzhan_feed_frame_bytes',
      help: 'Size of each live-feed broadcast frame (before deflate).',
      buckets: BYTES_BUCKETS,
      registers: register,
    });

    const errors = new client.Counter({
      name: 'pingzhan_errors_total',
      help: 'Errors emitted by Redis, BullMQ and PostgreSQL connections of this process (logged, rate-limited).',
      labelNames: ['component'],
      registers: register,
      collect() {
        // Process-wide counts (see countError), copied at scrape time; they only grow.
        this.reset();
        for (const [component, n] of Object.entries(errorCounts)) this.inc({ component }, n);
      },
    });
    void errors;

    const s = this.sources;
    new client.Gauge({
      name: 'pingzhan_queue_jobs',
      help: 'Pipeline jobs by BullMQ state (waiting, active, delayed, prioritized, failed, completed…).',
      labelNames: ['state'],
      registers: register,
      async collect() {
        const counts = await s.queueCounts?.().catch(() => null);
        this.reset();
        for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
      },
    });
    new client.Gauge({
      name: 'pingzhan_queue_oldest_waiting_seconds',
      help: 'Age of the oldest pipeline job still waiting to run (0 when none waits).',
      registers: register,
      async collect() {
        const at = await s.oldestWaitingAt?.().catch(() => null);
        this.set(at ? Math.max(0, (Date.now() - at) / 1000) : 0);
      },
    });
    new client.Gauge({
      name: 'pingzhan_projection_lag_events',
      help: 'Events in the log not yet projected into PostgreSQL.',
      registers: register,
      async collect() {
        const st = await s.projector?.().catch(() => null);
        if (st) this.set(st.lag);
      },
    });
    new client.Counter({
      name: 'pingzhan_feed_resyncs_total',
      help: 'Consoles told to resync (resumed from beyond retention, or dropped as slow).',
      registers: register,
      collect() {
        this.reset();
        this.inc(s.feed?.()?.resyncs ?? 0);
      },
    });
    new client.Counter({
      name: 'pingzhan_feed_slow_consumer_drops_total',
      help: 'Consoles dropped because their unsent bytes passed MAX_CLIENT_BUFFER_MB.',
      registers: register,
      collect() {
        this.reset();
        this.inc(s.feed?.()?.dropped ?? 0);
      },
    });
    new client.Gauge({
      name: 'pingzhan_live_consoles',
      help: 'Consoles connected to this process over /live, by role.',
      labelNames: ['role'],
      registers: register,
      collect() {
        const byRole = s.consolesByRole?.() ?? {};
        // Every role, so that a dashboard sees 0 rather than a missing series.
        for (const role of new Set([...ROLES, ...Object.keys(byRole)])) this.set({ role }, byRole[role] ?? 0);
      },
    });
  }

  /** One HTTP answer; `route` is the route's declared URL (bounded), or "unmatched". */
  response(method: string, route: string | undefined, status: number): void {
    const r = route ?? 'unmatched';
    this.responses.inc({ method, route: r, status: String(status) });
    if (method !== 'POST') return;
    if (r === '/api/v1/incidents') this.intake.inc({ kind: 'incident', status: String(status) });
    else if (r === '/api/v1/video-alerts') this.intake.inc({ kind: 'video_alert', status: String(status) });
  }

  /** A commit of `events` events that took `ms`. */
  commit(ms: number, events: number): void {
    this.commitSeconds.observe(ms / 1000);
    if (events > 0) this.commitEvents.inc(events);
  }

  /** A broadcast frame of `bytes` carrying events committed at `ats` (ISO times). */
  frame(bytes: number, ats: readonly string[], now = Date.now()): void {
    this.frameBytes.observe(bytes);
    for (const at of ats) {
      const t = Date.parse(at);
      if (Number.isFinite(t)) this.feedLag.observe(Math.max(0, now - t) / 1000);
    }
  }

  /** The scrape: Prometheus text in the registry's content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
