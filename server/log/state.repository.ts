import type { Redis } from 'ioredis';
import { caseEnded } from '../../shared/case.ts';
import type { Mode } from '../../shared/common.ts';
import type { FieldReport, Incident } from '../../shared/incident.ts';
import type { Dispatch, Operation } from '../../shared/operation.ts';
import type { StateSnapshot } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import type { Keys } from '../infra/keys.ts';
import type { StateHash } from './event-store.ts';
import { geoIndexable } from './geo-limits.ts';
import { FINISHED_KEPT_MS, inSnapshot } from './snapshot-window.ts';
import type { Warning } from '../../shared/warning.ts';
import type { CameraState } from '../../shared/camera.ts';

/** A camera as Redis holds it: its state and the version commits compare. */
export type StoredCamera = CameraState & { version: number };
const cameraOut = ({ version: _v, ...c }: StoredCamera): CameraState => c;
import { isShownWarning } from '../warnings/warning-shown.ts';

/** Open incidents near a point, nearest first, with their JSON. */
const NEAR_OPEN_LUA = `
local ids = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'm', 'ASC', 'COUNT', 20)
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
`;
type NearRedis = { pzNearOpen(numKeys: number, ...args: (string | number)[]): Promise<unknown> };

export const INITIAL_MODE: Mode = { state: 'peacetime', since: new Date(0).toISOString(), operationIds: [] };

/** The wire's Snapshot without the plan library (the API adds that): declared once, in shared/. */
export type { StateSnapshot };

function values<T>(h: Record<string, string>): T[] {
  return Object.values(h).map((v) => JSON.parse(v) as T);
}

/** The working set as the archive sweep reads it: every hot item, exactly as of `seq`. */
export type HotSet = {
  seq: number;
  /** The closed incidents due (open ones are never read). */
  incidents: Incident[];
  /** Of the incidents the due alerts link to, those still open. */
  openIncidentIds: Set<string>;
  /** Every operation Redis holds (a dispatch of one that stays, stays with it). */
  heldOperationIds: Set<string>;
  videoAlerts: VideoAlert[];
  operations: Operation[];
  dispatches: (Dispatch & { version: number })[];
  reports: (FieldReport & { version: number })[];
  /** Merged report id → the incident it joined. */
  aliases: Map<string, string>;
};

/** How many items each hot hash holds (`GET /api/v1/status`). */
export type HotSetSizes = {
  incidents: number;
  videoAlerts: number;
  operations: number;
  dispatches: number;
  reports: number;
  aliases: number;
  tombstones: number;
};

/** Reads of the current state. All writes go through EventStore.commit. */
export class StateRepository {
  /** Finished items stay in the snapshot this long at least (see snapshot-window.ts). */
  private readonly finishedKeptMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    opts: { archiveAfterMs?: number } = {},
  ) {
    redis.defineCommand('pzNearOpen', { lua: NEAR_OPEN_LUA });
    this.finishedKeptMs = Math.max(FINISHED_KEPT_MS, opts.archiveAfterMs ?? 0);
  }

  private async getJson<T>(hash: StateHash, id: string): Promise<T | null> {
    const v = await this.redis.hget(this.k[hash], id);
    return v === null ? null : (JSON.parse(v) as T);
  }

  getIncident(id: string) {
    return this.getJson<Incident>('incidents', id);
  }
  /**
   * A merged report's id answers with the incident it joined, also once that incident was
   * archived (its aliases then live on as tombstones).
   */
  async resolveIncidentId(id: string): Promise<string> {
    const [alias, gone] = await Promise.all([
      this.redis.hget(this.k.aliases, id),
      this.redis.hget(this.k.tombstones, id),
    ]);
    const v = alias ?? gone;
    return v === null ? id : (JSON.parse(v) as string);
  }
  getVideoAlert(id: string) {
    return this.getJson<VideoAlert>('videoAlerts', id);
  }
  getResource(id: string) {
    return this.getJson<Resource>('resources', id);
  }
  getOperation(id: string) {
    return this.getJson<Operation>('operations', id);
  }
  getDispatch(id: string) {
    return this.getJson<Dispatch>('dispatches', id);
  }
  async getMode(): Promise<Mode & { version: number }> {
    return (
      (await this.getJson<Mode & { version: number }>('meta', 'mode')) ?? { ...INITIAL_MODE, version: 0 }
    );
  }
  async listResources(): Promise<Resource[]> {
    return values<Resource>(await this.redis.hgetall(this.k.resources));
  }
  async listOperations(): Promise<Operation[]> {
    return values<Operation>(await this.redis.hgetall(this.k.operations));
  }
  /** Field reports of one incident, oldest first. Reports are few (people type them), so a scan is fine. */
  async listReports(incidentId: string): Promise<FieldReport[]> {
    return values<FieldReport & { version?: number }>(await this.redis.hgetall(this.k.reports))
      .filter((r) => r.incidentId === incidentId)
      .map(({ version: _v, ...r }) => r)
      .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }
  getCamera(id: string) {
    return this.getJson<StoredCamera>('cameras', id);
  }
  /** Every camera with its version (the camera service's reads before a commit). */
  async listStoredCameras(): Promise<StoredCamera[]> {
    return values<StoredCamera>(await this.redis.hgetall(this.k.cameras));
  }
  async countResources(): Promise<number> {
    return this.redis.hlen(this.k.resources);
  }

  /** Open incidents within `radiusM` of a point, nearest first. */
  async openIncidentsNear(lng: number, lat: number, radiusM: number): Promise<Incident[]> {
    if (!geoIndexable({ lat })) return [];
    // One round trip for search and read: the pipeline asks this for every report.
    const rows = (await (this.redis as unknown as NearRedis).pzNearOpen(
      2,
      this.k.openGeo,
      this.k.incidents,
      lng,
      lat,
      radiusM,
    )) as (string | null)[];
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Incident);
  }

  async hotSetSizes(): Promise<HotSetSizes> {
    const k = this.k;
    const [incidents, videoAlerts, operations, dispatches, reports, aliases, tombstones] = await Promise.all(
      [k.incidents, k.videoAlerts, k.operations, k.dispatches, k.reports, k.aliases, k.tombstones].map((h) =>
        this.redis.hlen(h),
      ),
    );
    return { incidents, videoAlerts, operations, dispatches, reports, aliases, tombstones };
  }

  /**
   * What the archive sweep looks at: the finished items due (finished at or before `dueBy`, ms),
   * found through the finished index (EventStore keeps it in every commit), at most `limit`; and,
   * only when some are due, what may go with them (dispatches, reports, aliases: scanned in chunks
   * so Redis is never blocked by one huge read). Open incidents are never read: a storm leaves tens
   * of thousands of them, and reading them all every sweep stalled every commit for seconds.
   * `seq` is read last: every version read was committed by then, so a database projected up to
   * `seq` holds it.
   */
  async hotSet(dueBy: number, limit = 5000): Promise<HotSet> {
    const members = await this.redis.zrangebyscore(this.k.finished, '-inf', dueBy, 'LIMIT', 0, limit);
    const ids: Partial<Record<StateHash, string[]>> = {};
    for (const m of members) {
      const i = m.indexOf('|');
      const h = m.slice(0, i) as StateHash;
      (ids[h] ??= []).push(m.slice(i + 1));
    }
    const read = async <T>(hash: StateHash): Promise<T[]> => {
      const want = ids[hash] ?? [];
      if (want.length === 0) return [];
      const raw = await this.redis.hmget(this.k[hash], ...want);
      return raw.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as T);
    };
    const incidents = (await read<Incident>('incidents')).filter((i) => caseEnded(i.status));
    const videoAlerts = await read<VideoAlert>('videoAlerts');
    const operations = await read<Operation>('operations');
    // A confirmed alert goes once its incident is no longer open: read just those incidents.
    const linked = [...new Set(videoAlerts.map((a) => a.incidentId).filter((x): x is string => x !== null))];
    const openIncidentIds = new Set<string>();
    if (linked.length) {
      const raw = await this.redis.hmget(this.k.incidents, ...linked);
      raw.forEach((v, i) => {
        if (v !== null && !caseEnded((JSON.parse(v) as Incident).status)) openIncidentIds.add(linked[i]);
      });
    }
    const anyGoing = incidents.length > 0 || operations.length > 0;
    const all = async (key: string) => (anyGoing ? this.scanHash(key) : new Map<string, string>());
    const dispatches = await all(this.k.dispatches);
    const reports = await all(this.k.reports);
    const aliases = await all(this.k.aliases);
    const heldOperationIds = new Set(await this.redis.hkeys(this.k.operations));
    const seq = Number((await this.redis.get(this.k.seq)) ?? 0);
    const parsed = <T>(m: Map<string, string>) => [...m.values()].map((v) => JSON.parse(v) as T);
    return {
      seq,
      incidents,
      openIncidentIds,
      heldOperationIds,
      videoAlerts,
      operations,
      dispatches: parsed<Dispatch & { version: number }>(dispatches),
      reports: parsed<FieldReport & { version: number }>(reports),
      aliases: new Map([...aliases].map(([id, v]) => [id, JSON.parse(v) as string])),
    };
  }

  /** Every field of a hash, in chunks (HSCAN may repeat a field: the map keeps one). */
  private async scanHash(key: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) out.set(flat[i], flat[i + 1]);
    } while (cursor !== '0');
    return out;
  }

  /**
   * State and seq read in one MULTI, so the snapshot is exactly the state as of `seq`. Redis holds
   * only the working set (the archive sweep moves finished items to the database), so this reads
   * what the walls need and no history.
   */
  async snapshot(now = Date.now()): Promise<StateSnapshot> {
    const res = await this.redis
      .multi()
      .get(this.k.seq)
      .hget(this.k.meta, 'mode')
      .hgetall(this.k.incidents)
      .hgetall(this.k.videoAlerts)
      .hgetall(this.k.resources)
      .hgetall(this.k.operations)
      .hgetall(this.k.warnings)
      .hgetall(this.k.cameras)
      .exec();
    if (!res) throw new Error('snapshot transaction aborted');
    for (const [err] of res) if (err) throw err;
    const [seq, mode, inc, va, rs, ops, ws, cams] = res.map(([, v]) => v) as [
      string | null,
      string | null,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    const m = mode ? (JSON.parse(mode) as Mode & { version?: number }) : INITIAL_MODE;
    const { version: _v, ...modeOut } = m as Mode & { version?: number };
    return {
      seq: Number(seq ?? 0),
      mode: modeOut,
      incidents: values<Incident>(inc).filter((i) => inSnapshot(i, now, this.finishedKeptMs)),
      videoAlerts: values<VideoAlert>(va).filter((a) => inSnapshot(a, now, this.finishedKeptMs)),
      resources: values<Resource>(rs),
      operations: values<Operation>(ops),
      warnings: values<Warning>(ws).filter((w) => isShownWarning(w, now)),
      cameras: values<StoredCamera>(cams)
        .map(cameraOut)
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }
}
