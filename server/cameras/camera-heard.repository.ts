import type { Redis } from 'ioredis';
import type { Keys } from '../infra/keys.ts';

/**
 * When each camera was last heard from (ms), beside the state and outside the log: a heartbeat
 * every few seconds from hundreds of cameras must not each be an event. Only ever rises
 * (a late request cannot move it back), so two processes marking at once agree.
 */
const MARK_LUA = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;
type MarkRedis = { pzCameraHeard(key: string, id: string, at: string): Promise<number> };

export class CameraHeardRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    redis.defineCommand('pzCameraHeard', { numberOfKeys: 1, lua: MARK_LUA });
  }

  async mark(id: string, at: number): Promise<void> {
    await (this.redis as unknown as MarkRedis).pzCameraHeard(this.k.cameraHeard, id, String(Math.floor(at)));
  }

  async get(id: string): Promise<number | null> {
    const v = await this.redis.hget(this.k.cameraHeard, id);
    return v === null ? null : Number(v);
  }

  async all(): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(this.k.cameraHeard);
    return new Map(Object.entries(h).map(([id, v]) => [id, Number(v)]));
  }
}
