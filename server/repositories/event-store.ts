import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { LiveEvent, PendingEvent } from '../../shared/protocol.ts';
import type { Keys } from '../infra/keys.ts';

const COMMIT_LUA = readFileSync(new URL('./commit.lua', import.meta.url), 'utf8');

/** The state hashes a commit may write; each entity is JSON with a `version`. */
export type StateHash =
  'incidents' | 'aliases' | 'videoAlerts' | 'resources' | 'operations' | 'dispatches' | 'reports' | 'meta';

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

export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    private readonly retention: number,
  ) {
    redis.defineCommand('pzCommit', { lua: COMMIT_LUA });
  }

  private hashKey(h: StateHash): string {
    return this.k[h];
  }

  async commit(plan: CommitPlan, now = new Date()): Promise<CommitResult> {
    const at = now.toISOString();
    const events = plan.events.map((e) => ({ t: e.type, at, a: e.actor ?? null, d: JSON.stringify(e.data) }));
    const body = {
      expect: (plan.expect ?? []).map((e) => ({ k: this.hashKey(e.hash), f: e.id, v: e.version })),
      put: (plan.put ?? []).map((p) => ({ k: this.hashKey(p.hash), f: p.id, v: JSON.stringify(p.value) })),
      del: (plan.del ?? []).map((d) => ({ k: this.hashKey(d.hash), f: d.id })),
      geoAdd: (plan.geoAdd ?? []).map((g) => ({ k: this.k.openGeo, lng: g.lng, lat: g.lat, m: g.id })),
      geoRem: (plan.geoRem ?? []).map((m) => ({ k: this.k.openGeo, m })),
      events,
      retention: this.retention,
      idemTtl: IDEMPOTENCY_TTL_S,
      result: plan.result ?? '',
    };
    // Declare every key the script touches (Redis Cluster needs them; they share one hash tag).
    const touched = new Set<string>([this.k.openGeo]);
    for (const x of [...body.expect, ...body.put, ...body.del]) touched.add(x.k);
    const idem = plan.idempotencyKey ? `${this.k.done}:${plan.idempotencyKey}` : '';
    const keys = [this.k.seq, this.k.events, idem, ...touched];
    const res = (await (this.redis as unknown as PzRedis).pzCommit(
      keys.length,
      ...keys,
      JSON.stringify(body),
    )) as [string, ...(string | number)[]];
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

type PzRedis = { pzCommit(numKeys: number, ...args: string[]): Promise<unknown> };
