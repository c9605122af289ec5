/**
 * The live state for the views: the pure LiveFeed underneath, mirrored into Svelte state once per
 * applied batch (so a storm costs one update per animation frame, not one per event).
 */
import { io } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  PROTOCOL_VERSION,
  type CameraState,
  type FieldReport,
  type GridCollection,
  type Incident,
  type LiveEvent,
  type Mode,
  type Operation,
  type Plan,
  type Resource,
  type ResourceType,
  type Severity,
  type VideoAlert,
} from '../../../../shared/index.ts';
import type { Warning } from '../../../../shared/warning.ts';
import {
  acknowledgeIncident,
  ApiError,
  getCameras,
  getConfig,
  getGrids,
  getMe,
  getRecentEvents,
  getSnapshot,
  type AppConfig,
} from '../api.ts';
import { ProtocolError } from '../wire.ts';
import { allChanges, type ArchivedItem, type Changes, type LiveData } from './apply-events.ts';
import { LiveFeed, type FeedSocket, type FeedStatus } from './feed.ts';
import { pushTicker, TICKER_MAX, type TickerEntry } from './ticker.ts';

export type BatchListener = (changes: Changes, applied: readonly LiveEvent[], data: LiveData) => void;

function frameScheduler(fn: () => void): void {
  // A hidden tab paints nothing and runs no rAF, and throttles its timers to about a second: it
  // applies each frame at once instead (state, title, notifications stay current to the event).
  if (typeof requestAnimationFrame !== 'function' || document.hidden) return void queueMicrotask(fn);
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(run);
  // a tab hidden right after the request runs no rAF: the timer still applies the frame
  setTimeout(run, 250);
}

function openSocket(since: number): FeedSocket {
  const s = io(LIVE_NAMESPACE, {
    transports: ['websocket'],
    auth: { since },
    reconnection: false,
    forceNew: true,
    withCredentials: true,
  });
  return {
    on: (event: string, fn: (...args: never[]) => void) => {
      s.on(event as 'connect', fn as () => void);
    },
    close: () => {
      s.removeAllListeners();
      s.disconnect();
    },
  } as FeedSocket;
}

function startOfToday(): number {
  const now = Date.now();
  const offsetMs = new Date(now).getTimezoneOffset() * 60_000;
  return Math.floor((now - offsetMs) / 86_400_000) * 86_400_000 + offsetMs;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export class LiveStore {
  status = $state.raw<FeedStatus>({
    state: 'connecting',
    seq: 0,
    headSeq: 0,
    attempt: 0,
    retryAt: null,
    lagMs: null,
    lastFrameAt: null,
  });
  loaded = $state(false);
  incidents = $state.raw<Incident[]>([]);
  videoAlerts = $state.raw<VideoAlert[]>([]);
  resources = $state.raw<Resource[]>([]);
  operations = $state.raw<Operation[]>([]);
  /** Active early warnings shown on the maps, the wall's banner and the console's list. */
  warnings = $state.raw<Warning[]>([]);
  /** The plan library, from the snapshot. */
  plans = $state.raw<Plan[]>([]);
  mode = $state.raw<Mode>({ state: 'peacetime', since: EPOCH, operationIds: [] });
  ticker = $state.raw<TickerEntry[]>([]);
  /** Field-report counts per incident id, from the feed. */
  reportCounts = $state.raw<Record<string, number>>({});
  /** Field reports per incident id seen on the feed (the snapshot carries none: views fetch the rest). */
  reports = $state.raw<Record<string, FieldReport[]>>({});
  /** New severity I/II incidents not yet acknowledged on this screen, oldest first. */
  alarms = $state.raw<string[]>([]);
  /** Static layers, loaded once. */
  grid = $state.raw<GridCollection | null>(null);
  /** Every camera with its links and status: from the snapshot and `camera.updated`, live. */
  cameras = $state.raw<CameraState[]>([]);
  config = $state.raw<AppConfig | null>(null);
  /** Start of the local day, refreshed by `tickDay()`. */
  dayStart = $state(startOfToday());

  behind = $derived(Math.max(0, this.status.headSeq - this.status.seq));
  openIncidents = $derived(this.incidents.filter((i) => i.status !== 'closed' && i.status !== 'voided'));
  newAlerts = $derived(this.videoAlerts.filter((a) => a.status === 'new'));
  todayBySeverity = $derived.by(() => {
    const out: Record<Severity, number> = { 1: 0, 2: 0, 3: 0, 4: 0 };
    for (const i of this.incidents) if (Date.parse(i.createdAt) >= this.dayStart) out[i.severity]++;
    return out;
  });
  availableByType = $derived.by(() => {
    const out: Partial<Record<ResourceType, number>> = {};
    for (const r of this.resources) if (r.status === 'available') out[r.type] = (out[r.type] ?? 0) + 1;
    return out;
  });

  readonly feed: LiveFeed;
  private data: LiveData | null = null;
  // callbacks, not state: plain sets on purpose
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private listeners = new Set<BatchListener>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private alarmListeners = new Set<(incident: Incident) => void>();
  private started = false;

  constructor(opts: { onSessionLost?: () => void } = {}) {
    this.feed = new LiveFeed(
      {
        loadSnapshot: getSnapshot,
        openSocket,
        scheduleFlush: frameScheduler,
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
        now: () => Date.now(),
        random: Math.random,
        onConnectError: async () => {
          try {
            await getMe();
            return 'retry';
          } catch (e) {
            if (e instanceof ApiError && e.status === 401) {
              opts.onSessionLost?.();
              return 'stop';
            }
            return 'retry';
          }
        },
      },
      {
        reset: (d) => this.onReset(d),
        batch: (r, d) => this.onBatch(r.changes, r.applied, d),
        status: (s) => {
          this.status = s;
        },
      },
    );
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.feed.start();
    void this.loadStatic();
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onOnline);
    }
  }

  stop(): void {
    this.started = false;
    this.feed.stop();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
  }

  private onOnline = () => {
    if (this.status.state !== 'live') this.feed.reconnectNow();
  };

  private async loadStatic(): Promise<void> {
    for (let attempt = 0; attempt < 20 && this.started; attempt++) {
      try {
        const [config, grid, cameras] = await Promise.all([
          this.config ?? getConfig(),
          this.grid ?? getGrids(),
          // a server before protocol v4 sends no cameras in the snapshot: the list then, once
          this.cameras.length ? null : getCameras(),
        ]);
        this.config = config;
        this.grid = grid;
        if (cameras && !this.data?.cameras.size) this.cameras = cameras;
        // The page may be older than the server it talks to (it was updated since it loaded):
        // the config says so even before the socket's hello does.
        if (config.protocol !== PROTOCOL_VERSION) {
          this.feed.refuse({ reason: 'version', serverProtocol: config.protocol });
        }
        return;
      } catch (e) {
        if (e instanceof ProtocolError) {
          this.feed.refuse({ reason: 'invalid', detail: e.message });
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    }
  }

  /** Called once per applied batch, after the Svelte state is updated. */
  onChanges(fn: BatchListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Called for each new severity I/II incident arriving on the feed. */
  onAlarm(fn: (incident: Incident) => void): () => void {
    this.alarmListeners.add(fn);
    return () => this.alarmListeners.delete(fn);
  }

  getIncident(id: string): Incident | undefined {
    return this.data?.incidents.get(id);
  }
  getVideoAlert(id: string): VideoAlert | undefined {
    return this.data?.videoAlerts.get(id);
  }
  getCamera(id: string): CameraState | undefined {
    return this.data?.cameras.get(id) ?? this.cameras.find((c) => c.id === id);
  }
  getResource(id: string): Resource | undefined {
    return this.data?.resources.get(id);
  }
  getOperation(id: string): Operation | undefined {
    return this.data?.operations.get(id);
  }
  /** The last copy of an item that recently left the working set (`*.archived`), if remembered. */
  getArchived(id: string): ArchivedItem | undefined {
    return this.data?.archived.get(id);
  }

  /**
   * Acknowledge an alarm: it leaves this screen at once and the server records who did it
   * (`incident.updated` with `acknowledgedAt`), which drops it on every other console too. A
   * failed request puts it back, so an alarm nobody acknowledged never silently disappears.
   * `record: false` (a role that may not acknowledge, such as a liaison's wall) only silences
   * this screen, as before.
   */
  async acknowledge(id: string, record = true): Promise<void> {
    this.alarms = this.alarms.filter((a) => a !== id);
    if (!record) return;
    try {
      await acknowledgeIncident(id);
    } catch (e) {
      const inc = this.data?.incidents.get(id);
      if (inc && !inc.acknowledgedAt && !this.alarms.includes(id)) this.alarms = [id, ...this.alarms];
      throw e;
    }
  }
  async acknowledgeAll(record = true): Promise<void> {
    const ids = this.alarms;
    const results = await Promise.allSettled(ids.map((id) => this.acknowledge(id, record)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  tickDay(): void {
    const d = startOfToday();
    if (d !== this.dayStart) this.dayStart = d;
  }

  private mirror(d: LiveData, ch: Changes): void {
    if (ch.incidents) this.incidents = [...d.incidents.values()];
    if (ch.videoAlerts) this.videoAlerts = [...d.videoAlerts.values()];
    if (ch.resources) this.resources = [...d.resources.values()];
    if (ch.operations) this.operations = [...d.operations.values()];
    if (ch.warnings) this.warnings = [...d.warnings.values()];
    // an empty map is a server that sends no cameras: keep the fallback list from GET /cameras
    if (ch.cameras && d.cameras.size) this.cameras = [...d.cameras.values()];
    if (ch.mode) this.mode = d.mode;
    if (ch.reports) {
      const counts: Record<string, number> = {};
      const reports: Record<string, FieldReport[]> = {};
      for (const [id, list] of d.reports) {
        counts[id] = list.length;
        reports[id] = list;
      }
      this.reportCounts = counts;
      this.reports = reports;
    }
  }

  private onReset(d: LiveData): void {
    this.data = d;
    this.plans = d.plans;
    const ch = allChanges();
    this.mirror(d, ch);
    this.loaded = true;
    for (const l of this.listeners) l(ch, [], d);
    void this.seedTicker(d);
  }

  /** A wall that was just opened shows what happened before it, not an empty ticker. */
  private async seedTicker(d: LiveData): Promise<void> {
    const upTo = d.seq;
    try {
      const { events } = await getRecentEvents(upTo, TICKER_MAX * 3);
      if (this.data !== d) return;
      const older = pushTicker([], [...events].reverse(), d);
      const newer = this.ticker.filter((t) => t.seq > upTo);
      this.ticker = [...newer, ...older].slice(0, TICKER_MAX);
    } catch {
      // The ticker fills from the live feed anyway.
    }
  }

  private onBatch(ch: Changes, applied: readonly LiveEvent[], d: LiveData): void {
    this.mirror(d, ch);
    this.ticker = pushTicker(this.ticker, applied, d);
    const fresh: Incident[] = [];
    for (const e of applied) {
      if (
        e.type === 'incident.created' &&
        e.data.severity <= 2 &&
        e.data.status !== 'closed' &&
        !e.data.acknowledgedAt
      ) {
        const inc = d.incidents.get(e.data.id) ?? e.data;
        // acknowledged already (later in the same batch, on another console)
        if (!inc.acknowledgedAt) fresh.push(inc);
      }
    }
    // acknowledged on any console (the server says who), or archived: it no longer rings here
    if (
      ch.incidents &&
      this.alarms.some((id) => !d.incidents.has(id) || d.incidents.get(id)!.acknowledgedAt)
    ) {
      this.alarms = this.alarms.filter((id) => d.incidents.has(id) && !d.incidents.get(id)!.acknowledgedAt);
    }
    if (fresh.length) {
      this.alarms = [...this.alarms, ...fresh.map((i) => i.id).filter((id) => !this.alarms.includes(id))];
      for (const inc of fresh) for (const l of this.alarmListeners) l(inc);
    }
    for (const l of this.listeners) l(ch, applied, d);
  }
}
