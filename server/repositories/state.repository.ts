import type { Redis } from 'ioredis';
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
  incidents: Incident[];
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
   * The whole working set and the seq in one MULTI: the archive sweep knows that every item it
   * read is the version committed at or below `seq`, so a database projected up to `seq` holds it.
   */
  async hotSet(): Promise<HotSet> {
    const res = await this.redis
      .multi()
      .get(this.k.seq)
      .hgetall(this.k.incidents)
      .hgetall(this.k.videoAlerts)
      .hgetall(this.k.operations)
      .hgetall(this.k.dispatches)
      .hgetall(this.k.reports)
      .hgetall(this.k.aliases)
      .exec();
    if (!res) throw new Error('hot-set transaction aborted');
    for (const [err] of res) if (err) throw err;
    const [seq, inc, va, ops, dsp, rpt, al] = res.map(([, v]) => v) as [
      string | null,
      ...Record<string, string>[],
    ];
    return {
      seq: Number(seq ?? 0),
      incidents: values<Incident>(inc),
      videoAlerts: values<VideoAlert>(va),
      operations: values<Operation>(ops),
      dispatches: values<Dispatch & { version: number }>(dsp),
      reports: values<FieldReport & { version: number }>(rpt),
      aliases: new Map(Object.entries(al).map(([id, v]) => [id, JSON.parse(v) as string])),
    };
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
      .exec();
    if (!res) throw new Error('snapshot transaction aborted');
    for (const [err] of res) if (err) throw err;
    const [seq, mode, inc, va, rs, ops] = res.map(([, v]) => v) as [
      string | null,
      string | null,
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
    };
  }
}
