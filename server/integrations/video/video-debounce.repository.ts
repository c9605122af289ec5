import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../../infra/keys.ts';
import { emptyDebounceState, type DebounceState } from './debounce.ts';

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
type ReleaseRedis = { pzVideoUnlock(key: string, token: string): Promise<number> };

/** Longest a lock is held should its holder die (a request's work on one camera takes milliseconds). */
const LOCK_MS = 5_000;

/**
 * The video debounce state in Redis, one JSON per camera, so that every server process debounces
 * alike; and a short lock per camera, so that two processes taking events of one camera at once
 * take them in turn (each reads the state the other wrote) instead of both raising an alert.
 */
export class VideoDebounceRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    redis.defineCommand('pzVideoUnlock', { numberOfKeys: 1, lua: RELEASE_LUA });
  }

  async read(cameraId: string): Promise<DebounceState> {
    const v = await this.redis.hget(this.k.videoDebounce, cameraId);
    return v === null ? emptyDebounceState() : (JSON.parse(v) as DebounceState);
  }

  async write(cameraId: string, state: DebounceState): Promise<void> {
    await this.redis.hset(this.k.videoDebounce, cameraId, JSON.stringify(state));
  }

  /** Runs `fn` holding the camera's lock; gives up (null) after `waitMs` of others holding it. */
  async withLock<T>(cameraId: string, waitMs: number, fn: () => Promise<T>): Promise<{ value: T } | null> {
    const key = this.k.videoLock(cameraId);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    let pause = 5;
    while ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) return null;
      // Contention only between two requests for one camera at the same moment: a short back-off.
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 100);
    }
    try {
      return { value: await fn() };
    } finally {
      await (this.redis as unknown as ReleaseRedis).pzVideoUnlock(key, token);
    }
  }
}
