import type { Camera, CameraState, CameraStatus } from '../../shared/camera.ts';
import type { CameraLinks } from '../../shared/camera-links.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import { DomainError, notFound } from '../infra/domain-errors.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository, StoredCamera } from '../log/state.repository.ts';
import { linkConflicts } from './link-conflicts.ts';
import type { CameraHeardRepository } from './camera-heard.repository.ts';

export const CAMERA_SEED_ACTOR = 'system:seed';
export const CAMERA_STATUS_ACTOR = 'system:cameras';

const stateOf = ({ version: _v, ...c }: StoredCamera): CameraState => c;

/**
 * Cameras as hot state: the register's cameras with the links the admin gave them and whether
 * they report. Every change is one commit with its `camera.updated`; a status is committed only
 * when it changes, so a heartbeat every few seconds writes no event (when it was heard is kept
 * beside the state, in `CameraHeardRepository`).
 *
 * `lastSeenAt` in the state is when the camera was last heard *as of its last `camera.updated`*
 * (it changes with the status, not with every heartbeat); `list()` answers the fresher time kept
 * beside the state.
 */
export class CameraService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly heard: CameraHeardRepository,
    private readonly register: readonly Camera[],
    private readonly silenceMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Puts every register camera not yet in the state (with its demo links, if any), one commit
   * with a `camera.updated` each. Cameras already there are left as they are: a restart neither
   * re-seeds nor loses the admin's links. Safe beside another server starting: each put expects
   * its camera absent, and a conflict re-reads.
   */
  async seed(demoLinks: ReadonlyMap<string, CameraLinks> = new Map()): Promise<number> {
    const { result } = await commitWithRetry(this.store, async () => {
      const have = new Set((await this.state.listStoredCameras()).map((c) => c.id));
      const missing = this.register.filter((c) => !have.has(c.id));
      if (missing.length === 0) return { plan: null, result: 0 };
      const values: StoredCamera[] = missing.map((c) => ({
        ...c,
        links: demoLinks.get(c.id) ?? {},
        status: 'unknown',
        lastSeenAt: null,
        version: 1,
      }));
      return {
        plan: {
          expect: values.map((v) => ({ hash: 'cameras' as const, id: v.id, version: null })),
          put: values.map((value) => ({ hash: 'cameras' as const, id: value.id, value })),
          events: values.map((v): PendingEvent => ({
            type: 'camera.updated',
            actor: CAMERA_SEED_ACTOR,
            data: stateOf(v),
          })),
        },
        result: values.length,
      };
    });
    return result;
  }

  /** Every camera, with when it was last heard (fresher than the state's, see the class comment). */
  async list(): Promise<CameraState[]> {
    const [cams, heard] = await Promise.all([this.state.listStoredCameras(), this.heard.all()]);
    return cams
      .map((c) => {
        const h = heard.get(c.id);
        const s = stateOf(c);
        return h !== undefined && (s.lastSeenAt === null || Date.parse(s.lastSeenAt) < h)
          ? { ...s, lastSeenAt: new Date(h).toISOString() }
          : s;
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Cameras with their links, for matching a device's event to its camera. */
  async linked(): Promise<{ id: string; links: CameraLinks }[]> {
    return (await this.state.listStoredCameras()).map((c) => ({ id: c.id, links: c.links }));
  }

  /** Replaces a camera's links (a vendor left out is unlinked). 409 when another camera has the same device. */
  async setLinks(id: string, links: CameraLinks, actor: string): Promise<CameraState> {
    const { result } = await commitWithRetry(this.store, async () => {
      const cams = await this.state.listStoredCameras();
      const cam = cams.find((c) => c.id === id);
      if (!cam) throw notFound(`camera ${id}`);
      const clashes = linkConflicts(
        links,
        cams.filter((c) => c.id !== id),
      );
      if (clashes.length)
        throw new DomainError(
          409,
          'link_conflict',
          clashes.map((c) => `${c.path}: ${c.message}`).join('; '),
          clashes,
        );
      const next: StoredCamera = { ...cam, links, version: cam.version + 1 };
      return {
        plan: {
          // Every other camera's version too: two admins linking one device to two cameras at
          // once must not both win.
          expect: cams.map((c) => ({ hash: 'cameras' as const, id: c.id, version: c.version })),
          put: [{ hash: 'cameras', id, value: next }],
          events: [{ type: 'camera.updated', actor, data: stateOf(next) }],
        },
        result: stateOf(next),
      };
    });
    return result;
  }

  /**
   * The camera was heard from at `at` (ms): remembered beside the state always, and a status
   * committed only when it changes (`online` after any message, `offline` after its own video loss).
   */
  async heardFrom(id: string, at: number, status: 'online' | 'offline'): Promise<void> {
    await this.heard.mark(id, at);
    await this.setStatus(id, status, at);
  }

  private async setStatus(id: string, status: CameraStatus, seenAt: number | null): Promise<boolean> {
    const { result } = await commitWithRetry(this.store, async () => {
      const cam = await this.state.getCamera(id);
      if (!cam || cam.status === status) return { plan: null, result: false };
      const next: StoredCamera = {
        ...cam,
        status,
        lastSeenAt: seenAt === null ? cam.lastSeenAt : new Date(seenAt).toISOString(),
        version: cam.version + 1,
      };
      return {
        plan: {
          expect: [{ hash: 'cameras', id, version: cam.version }],
          put: [{ hash: 'cameras', id, value: next }],
          events: [{ type: 'camera.updated', actor: CAMERA_STATUS_ACTOR, data: stateOf(next) }],
        },
        result: true,
      };
    });
    return result;
  }

  /**
   * The `camera.silence_sweep` job: cameras online but not heard from for CAMERA_SILENCE_S go
   * offline (one commit each, only those that change). A camera online with no "heard" entry
   * (Redis lost it, or it went online before this existed) counts from its state's lastSeenAt.
   */
  async sweepSilence(): Promise<{ offline: string[] }> {
    const now = this.clock().getTime();
    const [cams, heard] = await Promise.all([this.state.listStoredCameras(), this.heard.all()]);
    const offline: string[] = [];
    for (const c of cams) {
      if (c.status !== 'online') continue;
      const last = heard.get(c.id) ?? (c.lastSeenAt ? Date.parse(c.lastSeenAt) : 0);
      if (now - last < this.silenceMs) continue;
      if (await this.setStatusIfSilent(c.id, now)) offline.push(c.id);
    }
    return { offline };
  }

  /** Offline, unless it was heard again meanwhile (re-read inside each attempt). */
  private async setStatusIfSilent(id: string, now: number): Promise<boolean> {
    const { result } = await commitWithRetry(this.store, async () => {
      const [cam, last] = await Promise.all([this.state.getCamera(id), this.heard.get(id)]);
      if (!cam || cam.status !== 'online') return { plan: null, result: false };
      if (last !== null && now - last < this.silenceMs) return { plan: null, result: false };
      const next: StoredCamera = { ...cam, status: 'offline', version: cam.version + 1 };
      return {
        plan: {
          expect: [{ hash: 'cameras', id, version: cam.version }],
          put: [{ hash: 'cameras', id, value: next }],
          events: [{ type: 'camera.updated', actor: CAMERA_STATUS_ACTOR, data: stateOf(next) }],
        },
        result: true,
      };
    });
    return result;
  }
}
