import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { caseEnded, type CaseStatus } from '../../shared/case.ts';
import type { LiveEvent, PendingEvent } from '../../shared/protocol.ts';
import type { Keys } from '../infra/keys.ts';
import { geoIndexable } from './geo-limits.ts';

const COMMIT_LUA = readFileSync(new URL('./commit.lua', import.meta.url), 'utf8');

/** The state hashes a commit may write; each entity is JSON with a `version`. */
export type StateHash =
  | 'incidents'
  | 'aliases'
  | 'tombstones'
  | 'videoAlerts'
  | 'resources'
  | 'operations'
  | 'dispatches'
  | 'reports'
  | 'meta'
  | 'caseRules'
  | 'warnings'
  | 'warningAliases'
  | 'warningRaw'
  | 'footageRequests'
  | 'cameras';
export const STATE_HASHES: readonly StateHash[] = [
  'incidents',
  'aliases',
  'tombstones',
  'videoAlerts',
  'resources',
  'operations',
  'dispatches',
  'reports',
  'meta',
  'caseRules',
  'warnings',
  'warningAliases',
  'warningRaw',
  'footageRequests',
  'cameras',
];

/**
 * The companion hash of a state hash: field → version. The commit script compares versions there
 * and never decodes stored JSON (see commit.lua). Same hash tag as the state hash.
 */
export const versionKey = (stateKey: string): string => `${stateKey}:versions`;

/** Sets a version only if it is still what the migration saw, so it cannot undo a commit made meanwhile. */
const SET_VERSION_IF_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if cur ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/** The hashes whose items finish, and when an item of each is finished (its finishing time, ms). */
const FINISHING: Partial<Record<StateHash, (v: Record<string, unknown>) => number | null>> = {
  incidents: (v) => (caseEnded(v.status as CaseStatus) ? Date.parse(String(v.updatedAt)) : null),
  videoAlerts: (v) =>
    v.status === 'dismissed' || v.status === 'confirmed' ? Date.parse(String(v.updatedAt)) : null,
  operations: (v) => (v.status === 'stood_down' ? Date.parse(String(v.stoodDownAt ?? v.updatedAt)) : null),
};

/** The member of the finished index for an item. */
export const finishedMember = (hash: StateHash, id: string): string => `${hash}|${id}`;

/** When a stored value is finished (ms), or null while it is live. */
export function finishedAt(hash: StateHash, value: unknown): number | null {
  const f = FINISHING[hash];
  if (!f || value === null || typeof value !== 'object') return null;
  const at = f(value as Record<string, unknown>);
  return at !== null && Number.isFinite(at) ? at : null;
}

const versionOf = (value: unknown): number | null => {
  const v = (value as { version?: unknown } | null)?.version;
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
};

export type CommitPlan = {
  /** Makes a retried job or request commit once; its later runs get `duplicate`. */
  idempotencyKey?: string;
  /** Stored with the idempotency key and returned to duplicates (e.g. the id that was created). */
  result?: string;
  /** Optimistic concurrency: each entity must still have this version (`null`: must not exist). */
  expect?: { hash: StateHash; id: string; version: number | null }[];
  put?: { hash: StateHash; id: string; value: unknown }[];
  del?: { hash: StateHash; id: string }[];
  geoAdd?: { id: string; lng: number; lat: number }[];
  geoRem?: string[];
  events: PendingEvent[];
};

export type CommitResult =
  | { status: 'ok'; events: LiveEvent[] }
  | { status: 'duplicate'; result: string }
  | { status: 'conflict'; hash: string; id: string };

const IDEMPOTENCY_TTL_S = 7 * 24 * 3600;

/** Observers of the write path (metrics); set once by whoever measures, never required. */
export type EventStoreHooks = { onCommit?: (ms: number, events: number) => void };

export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    readonly hooks: EventStoreHooks = {},
  ) {
    redis.defineCommand('pzCommit', { lua: COMMIT_LUA });
    redis.defineCommand('pzSetVersionIf', { numberOfKeys: 1, lua: SET_VERSION_IF_LUA });
  }

  /**
   * Data written before versions had their own hash keeps the version only inside its JSON. Reads
   * every state hash once at start-up, before this process commits, and records each entity's
   * version where the commit looks for it. Node's JSON.parse copes with the lone-surrogate escapes
   * that cjson refuses, so such an entity becomes writable again. Idempotent and safe beside other
   * processes: an entry is written only when it differs from the JSON and is still what was read.
   * A hash whose version entries are as many as its entities is taken as done (aliases and
   * tombstones hold no versions). Returns how many versions it wrote.
   */
  async migrateVersions(): Promise<number> {
    let fixed = 0;
    for (const h of STATE_HASHES) {
      const key = this.hashKey(h);
      const vkey = versionKey(key);
      // Every versioned entity has its entry once migrated: equal counts mean nothing to do, so a
      // normal start costs two HLENs, not a read of the whole state.
      if (h === 'aliases' || h === 'tombstones' || h === 'warningAliases' || h === 'warningRaw') continue;
      const [n, nv] = await Promise.all([this.redis.hlen(key), this.redis.hlen(vkey)]);
      if (n === nv) continue;
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 500);
        cursor = next;
        const fields: string[] = [];
        const want: (number | null)[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          let value: unknown = null;
          try {
            value = JSON.parse(flat[i + 1]);
          } catch {
            // Not JSON at all: nothing to migrate; commits expecting it will conflict, never overwrite.
          }
          fields.push(flat[i]);
          want.push(versionOf(value));
        }
        if (fields.length === 0) continue;
        const have = await this.redis.hmget(vkey, ...fields);
        for (let i = 0; i < fields.length; i++) {
          const w = want[i];
          if (w === null || have[i] === String(w)) continue;
          const done = await (this.redis as unknown as PzRedis).pzSetVersionIf(
            vkey,
            fields[i],
            have[i] ?? '',
            String(w),
          );
          fixed += Number(done);
        }
      } while (cursor !== '0');
    }
    return fixed;
  }

  /**
   * Builds the finished index from data written before it existed: once per store (a marker key
   * says it is done), idempotent (ZADD of the same member and score), safe beside other processes.
   */
  async migrateFinished(): Promise<number> {
    if (await this.redis.exists(this.k.finishedBuilt)) return 0;
    let added = 0;
    for (const h of Object.keys(FINISHING) as StateHash[]) {
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(this.hashKey(h), cursor, 'COUNT', 500);
        cursor = next;
        const args: (string | number)[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          let value: unknown;
          try {
            value = JSON.parse(flat[i + 1]);
          } catch {
            continue; // not JSON: nothing a commit wrote, nothing to index
          }
          const at = finishedAt(h, value);
          if (at !== null) args.push(at, finishedMember(h, flat[i]));
        }
        if (args.length) added += Number(await this.redis.zadd(this.k.finished, ...args));
      } while (cursor !== '0');
    }
    await this.redis.set(this.k.finishedBuilt, '1');
    return added;
  }

  private hashKey(h: StateHash): string {
    return this.k[h];
  }

  async commit(plan: CommitPlan, now = new Date()): Promise<CommitResult> {
    const at = now.toISOString();
    // User text reaches the script only inside strings Node encoded (value, data, actor), so the
    // script's own decode of the plan never meets a raw escape from user text.
    const events = plan.events.map((e) => ({
      t: e.type,
      at,
      a: e.actor ? JSON.stringify(e.actor) : null,
      d: JSON.stringify(e.data),
    }));
    const k = (h: StateHash) => this.hashKey(h);
    const body = {
      expect: (plan.expect ?? []).map((e) => ({
        k: k(e.hash),
        vk: versionKey(k(e.hash)),
        f: e.id,
        v: e.version,
      })),
      put: (plan.put ?? []).map((p) => ({
        k: k(p.hash),
        vk: versionKey(k(p.hash)),
        f: p.id,
        v: JSON.stringify(p.value),
        n: versionOf(p.value),
      })),
      del: (plan.del ?? []).map((d) => ({ k: k(d.hash), vk: versionKey(k(d.hash)), f: d.id })),
      geoAdd: (plan.geoAdd ?? [])
        .filter(geoIndexable)
        .map((g) => ({ k: this.k.openGeo, lng: g.lng, lat: g.lat, m: g.id })),
      geoRem: (plan.geoRem ?? []).map((m) => ({ k: this.k.openGeo, m })),
      // Finished items enter the index as they are written finished, and leave it when deleted:
      // here, so no service can forget it.
      zAdd: (plan.put ?? []).flatMap((p) => {
        const at = finishedAt(p.hash, p.value);
        return at === null ? [] : [{ k: this.k.finished, m: finishedMember(p.hash, p.id), s: at }];
      }),
      zRem: (plan.del ?? [])
        .filter((d) => FINISHING[d.hash])
        .map((d) => ({ k: this.k.finished, m: finishedMember(d.hash, d.id) })),
      events,
      idem: plan.idempotencyKey ? 1 : false,
      idemTtl: IDEMPOTENCY_TTL_S,
      result: plan.result ?? '',
    };
    // Declare every key the script touches (Redis Cluster needs them; they share one hash tag).
    const touched = new Set<string>([this.k.openGeo, this.k.finished]);
    for (const x of [...body.expect, ...body.put, ...body.del]) touched.add(x.k).add(x.vk);
    // Always a real key in the hash tag (an empty one is a slot of its own on Redis Cluster).
    const idem = plan.idempotencyKey ? `${this.k.done}:${plan.idempotencyKey}` : `${this.k.done}:-`;
    const keys = [this.k.seq, this.k.events, idem, ...touched];
    const started = performance.now();
    const res = (await (this.redis as unknown as PzRedis).pzCommit(
      keys.length,
      ...keys,
      JSON.stringify(body),
    )) as [string, ...(string | number)[]];
    this.hooks.onCommit?.(performance.now() - started, res[0] === 'ok' ? events.length : 0);
    if (res[0] === 'dup') return { status: 'duplicate', result: String(res[1]) };
    if (res[0] === 'conflict') return { status: 'conflict', hash: String(res[1]), id: String(res[2]) };
    const first = Number(res[1]);
    return {
      status: 'ok',
      events: plan.events.map(
        (e, i) =>
          ({
            seq: first + i,
            type: e.type,
            at,
            ...(e.actor ? { actor: e.actor } : {}),
            data: e.data,
          }) as LiveEvent,
      ),
    };
  }

  async headSeq(): Promise<number> {
    return Number((await this.redis.get(this.k.seq)) ?? 0);
  }

  /** Seq of the oldest event still kept (head+1 when the log is empty). */
  async oldestSeq(): Promise<number> {
    const first = await this.redis.xrange(this.k.events, '-', '+', 'COUNT', 1);
    if (first.length === 0) return (await this.headSeq()) + 1;
    return Number(first[0][0].split('-')[0]);
  }

  /** Events with seq > since, in order, at most `count`. */
  async readAfter(since: number, count: number): Promise<LiveEvent[]> {
    const rows = await this.redis.xrange(this.k.events, `${since + 1}-0`, '+', 'COUNT', count);
    return rows.map(([, fields]) => JSON.parse(fields[1]) as LiveEvent);
  }

  /** Events newest first, for the audit trail. */
  async readBackwards(before: number | null, count: number): Promise<LiveEvent[]> {
    const end = before === null ? '+' : `(${before}-0`;
    const rows = await this.redis.xrevrange(this.k.events, end, '-', 'COUNT', count);
    return rows.map(([, fields]) => JSON.parse(fields[1]) as LiveEvent);
  }
}

type PzRedis = {
  pzCommit(numKeys: number, ...args: string[]): Promise<unknown>;
  pzSetVersionIf(key: string, field: string, expected: string, version: string): Promise<number>;
};
