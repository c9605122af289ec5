/**
 * A replay's own store: the same surface the map and the ticker read from the live store, fed by
 * a Timeline instead of a socket. A separate instance per replay; it never reads or writes the
 * live state, and it opens no socket.
 */
import type {
  Camera,
  GridCollection,
  Incident,
  LiveEvent,
  Mode,
  Operation,
  Plan,
  Resource,
  VideoAlert,
} from '../../../../shared/index.ts';
import type { Warning } from '../../../../shared/warning.ts';
import { getCameras, getConfig, getGrids, getReplay, type AppConfig } from '../api.ts';
import type { Changes, LiveData } from '../live/apply-events.ts';
import type { LiveStore } from '../live/live-store.svelte.ts';
import { pushTicker, TICKER_MAX, type TickerEntry } from '../live/ticker.ts';
import { advance, isoAt, Timeline, type Speed } from './timeline.ts';

type Listener = (changes: Changes, applied: readonly LiveEvent[], data: LiveData) => void;

/** Pages of a long window (each capped by the server) fetched before giving up. */
const MAX_PAGES = 20;
/** Playback steps this often; each step applies whatever the moment passed. */
const STEP_MS = 100;

export class ReplayStore {
  loaded = $state(false);
  error = $state<unknown>(null);
  /** The recorded answer was cut short (more events than the pages fetched). */
  truncated = $state(false);
  incidents = $state.raw<Incident[]>([]);
  videoAlerts = $state.raw<VideoAlert[]>([]);
  resources = $state.raw<Resource[]>([]);
  operations = $state.raw<Operation[]>([]);
  /** Active early warnings shown on the maps, the wall's banner and the console's list. */
  warnings = $state.raw<Warning[]>([]);
  plans = $state.raw<Plan[]>([]);
  mode = $state.raw<Mode>({ state: 'peacetime', since: isoAt(0), operationIds: [] });
  ticker = $state.raw<TickerEntry[]>([]);
  grid = $state.raw<GridCollection | null>(null);
  cameras = $state.raw<Camera[]>([]);
  config = $state.raw<AppConfig | null>(null);
  /** No feed, so no lag: the map's staleness marker stays off. */
  readonly status = { lagMs: null };

  from = $state(0);
  to = $state(0);
  /** The moment shown, ms since the epoch. */
  t = $state(0);
  speed = $state<Speed>(60);
  playing = $state(false);
  /** Events applied / recorded in the window. */
  applied = $state(0);
  total = $state(0);

  private timeline: Timeline | null = null;
  // callbacks, not state
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastStep = 0;
  private generation = 0;

  /** Loads the recorded window; the state shown is the one at `from`. */
  async load(from: string, to: string): Promise<void> {
    const gen = ++this.generation;
    this.pause();
    this.loaded = false;
    this.error = null;
    try {
      const [config, grid, cameras] = await Promise.all([
        this.config ?? getConfig(),
        this.grid ?? getGrids(),
        this.cameras.length ? this.cameras : getCameras(),
      ]);
      this.config = config;
      this.grid = grid;
      // the register only: today's status and links would be wrong for the moment replayed
      this.cameras = cameras.map((c) => ({
        id: c.id,
        name: c.name,
        location: c.location,
        streetId: c.streetId,
        communityId: c.communityId,
        kind: c.kind,
      }));
      const first = await getReplay(from, to);
      const events = [...first.events];
      let page = first;
      for (let i = 1; page.truncated && page.nextFrom && i < MAX_PAGES; i++) {
        page = await getReplay(page.nextFrom, to);
        events.push(...page.events);
      }
      if (gen !== this.generation) return;
      this.truncated = page.truncated;
      this.timeline = new Timeline(first.state, events, first.at, isoAt(to));
      this.from = this.timeline.from;
      this.to = this.timeline.to;
      this.total = events.length;
      this.plans = first.state.plans;
      this.loaded = true;
      this.seek(this.from);
    } catch (e) {
      if (gen === this.generation) this.error = e;
    }
  }

  /** Moves to moment `t` (clamped to the window): the state there, as live showed it. */
  seek(t: number): void {
    const tl = this.timeline;
    if (!tl) return;
    this.t = Math.max(this.from, Math.min(this.to, t));
    const p = tl.seek(this.t);
    this.mirror(p.data, p.changes);
    this.applied = tl.applied;
    this.ticker = p.rebuilt
      ? pushTicker([], p.applied, p.data, TICKER_MAX)
      : pushTicker(this.ticker, p.applied, p.data);
    for (const l of this.listeners) l(p.changes, p.applied, p.data);
  }

  play(): void {
    if (!this.timeline || this.playing) return;
    if (this.t >= this.to) this.seek(this.from);
    this.playing = true;
    this.lastStep = Date.now();
    this.timer = setInterval(() => this.step(), STEP_MS);
  }

  pause(): void {
    this.playing = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  setSpeed(s: Speed): void {
    this.speed = s;
  }

  destroy(): void {
    this.pause();
    this.generation++;
    this.listeners.clear();
  }

  private step(): void {
    const now = Date.now();
    const next = advance(this.t, now - this.lastStep, this.speed, this.to);
    this.lastStep = now;
    this.seek(next);
    if (this.t >= this.to) this.pause();
  }

  private mirror(d: LiveData, ch: Changes): void {
    if (ch.incidents) this.incidents = [...d.incidents.values()];
    if (ch.videoAlerts) this.videoAlerts = [...d.videoAlerts.values()];
    if (ch.resources) this.resources = [...d.resources.values()];
    if (ch.operations) this.operations = [...d.operations.values()];
    if (ch.warnings) this.warnings = [...d.warnings.values()];
    if (ch.mode) this.mode = d.mode;
  }

  onChanges(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  getIncident(id: string): Incident | undefined {
    return this.timeline?.current().incidents.get(id);
  }
  getVideoAlert(id: string): VideoAlert | undefined {
    return this.timeline?.current().videoAlerts.get(id);
  }
  getResource(id: string): Resource | undefined {
    return this.timeline?.current().resources.get(id);
  }
  getOperation(id: string): Operation | undefined {
    return this.timeline?.current().operations.get(id);
  }

  /**
   * For components typed to take the live store (MapView, popupTextFor): they read only the
   * fields above. A narrower `LiveView` type in those components would make this cast unneeded.
   */
  asLiveView(): LiveStore {
    return this as unknown as LiveStore;
  }
}

declare global {
  interface Window {
    __pzReplay?: ReplayStore;
  }
}
