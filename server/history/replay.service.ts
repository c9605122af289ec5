import type { CameraState } from '../../shared/camera.ts';
import type { Mode } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Operation } from '../../shared/operation.ts';
import type { Plan } from '../../shared/plan.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { REPLAY_MAX_EVENTS, type Replay, type ReplayQuery } from '../../shared/replay.ts';
import type { Resource } from '../../shared/resource.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import type { Warning } from '../../shared/warning.ts';
import { isShownWarning } from '../warnings/warning-shown.ts';
import { FINISHED_KEPT_MS, inSnapshot } from '../log/snapshot-window.ts';

/** What replay reads from the log (ReplayRepository). */
export interface ReplayLog {
  seqAt(at: string): Promise<number>;
  latestPerEntity(seq: number, finishedBefore?: string): Promise<LiveEvent[]>;
  eventsAfter(afterSeq: number, to: string, limit: number): Promise<LiveEvent[]>;
}

/** What replay needs of the current state: what was seeded without an event. */
export interface CurrentState {
  listResources(): Promise<Resource[]>;
  getMode(): Promise<Mode & { version: number }>;
  listStoredCameras(): Promise<(CameraState & { version: number })[]>;
}

const EPOCH = new Date(0).toISOString();

/**
 * The state at a moment, rebuilt from the log, and the events after it: what a console replays.
 * The state is what `GET /api/v1/snapshot` answered at that moment (same shape, same window of
 * finished items), so the client applies the events to it exactly as it applies live ones.
 */
export class ReplayService {
  constructor(
    private readonly log: ReplayLog,
    private readonly current: CurrentState,
    private readonly plans: Plan[],
    private readonly maxEvents = REPLAY_MAX_EVENTS,
  ) {}

  async replay(q: ReplayQuery): Promise<Replay> {
    const at = new Date(q.from).toISOString();
    const to = new Date(q.to).toISOString();
    const seq = await this.log.seqAt(at);
    const [latest, resourcesNow, modeNow, page, camerasNow] = await Promise.all([
      this.log.latestPerEntity(seq, new Date(Date.parse(at) - FINISHED_KEPT_MS).toISOString()),
      this.current.listResources(),
      this.current.getMode(),
      this.log.eventsAfter(seq, to, this.maxEvents + 1),
      this.current.listStoredCameras(),
    ]);

    const incidents: Incident[] = [];
    const videoAlerts: VideoAlert[] = [];
    const operations: Operation[] = [];
    const resources = new Map<string, Resource>();
    const warnings: Warning[] = [];
    let mode: Mode | null = null;
    for (const e of latest) {
      if (e.type === 'incident.created' || e.type === 'incident.updated') incidents.push(e.data);
      else if (e.type === 'video_alert.created' || e.type === 'video_alert.updated') videoAlerts.push(e.data);
      else if (e.type.startsWith('operation.')) operations.push(e.data as Operation);
      else if (e.type === 'resource.updated') resources.set(e.data.id, e.data);
      else if (e.type.startsWith('warning.')) warnings.push(e.data as Warning);
      else if (e.type === 'mode.changed') {
        const { id: _id, ...m } = e.data;
        mode = m;
      }
    }

    // The seed writes the resources and the first mode without events (version 1, one moment).
    const seedAt =
      modeNow.version === 1 ? modeNow.since : (resourcesNow.find((r) => r.version === 1)?.updatedAt ?? EPOCH);
    const assumedResources: string[] = [];
    for (const r of resourcesNow) {
      if (resources.has(r.id)) continue;
      assumedResources.push(r.id);
      resources.set(
        r.id,
        r.version === 1
          ? r
          : {
              ...r,
              status: 'available',
              location: r.home,
              incidentId: null,
              operationId: null,
              dispatchId: null,
              updatedAt: seedAt,
              version: 1,
            },
      );
    }
    const assumedMode = mode === null;
    if (mode === null) {
      mode =
        modeNow.version <= 1
          ? stripVersion(modeNow)
          : { state: 'peacetime', since: seedAt, operationIds: [] };
    }

    const now = Date.parse(at);
    const truncated = page.length > this.maxEvents;
    let events = truncated ? page.slice(0, this.maxEvents) : page;
    let nextFrom: string | undefined;
    if (truncated) {
      // `nextFrom` is a time; a commit's events share one, so the page ends where the time
      // changes: asking from it then starts exactly after the last event given.
      const cutAt = page[this.maxEvents].at;
      let end = events.length;
      while (end > 0 && events[end - 1].at === cutAt) end--;
      if (end > 0) events = events.slice(0, end);
      else {
        // One moment holds more than a page (a commit is bounded, so this is rare): give all of
        // that moment's events rather than lose those past the cap.
        const rest = await this.log.eventsAfter(events[events.length - 1].seq, cutAt, this.maxEvents);
        events = [...events, ...rest.filter((e) => e.at === cutAt)];
      }
      nextFrom = events[events.length - 1].at;
    }

    return {
      at,
      state: {
        seq,
        mode,
        incidents: incidents.filter((i) => inSnapshot(i, now)),
        videoAlerts: videoAlerts.filter((a) => inSnapshot(a, now)),
        resources: [...resources.values()],
        plans: this.plans,
        operations,
        // Shown then: active, routed to consoles, not yet past its expires.
        warnings: warnings.filter((w) => isShownWarning(w, now)),
        // Cameras are not replayed (their events are not among the indexed entity types): the
        // register and links as they are now, with no claim about whether they reported then.
        cameras: camerasNow
          .map(({ version: _v, ...c }) => ({ ...c, status: 'unknown' as const, lastSeenAt: null }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      },
      events,
      truncated,
      ...(nextFrom ? { nextFrom } : {}),
      assumed: { resourceIds: assumedResources, mode: assumedMode },
    };
  }
}

function stripVersion(m: Mode & { version?: number }): Mode {
  const { version: _v, ...rest } = m;
  return rest;
}
