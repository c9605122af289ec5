import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { User } from '../../shared/identity.ts';
import type { Keys } from '../infra/keys.ts';

export type StoredUser = User & { passwordHash: string };

export const SESSION_TTL_S = 12 * 3600;
const FAIL_WINDOW_S = 15 * 60;

/** Users, sessions and login-failure counters, in Redis so every server process shares them. */
export class IdentityRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  async findUser(username: string): Promise<StoredUser | null> {
    const v = await this.redis.hget(this.k.users, username.toLowerCase());
    return v ? (JSON.parse(v) as StoredUser) : null;
  }
  async saveUser(u: StoredUser): Promise<void> {
    await this.redis.hset(this.k.users, u.username.toLowerCase(), JSON.stringify(u));
  }
  async removeUser(username: string): Promise<void> {
    await this.redis.hdel(this.k.users, username.toLowerCase());
  }
  async listUsers(): Promise<StoredUser[]> {
    return Object.values(await this.redis.hgetall(this.k.users)).map((v) => JSON.parse(v) as StoredUser);
  }

  async createSession(user: User): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.k.session(id), JSON.stringify(user), 'EX', SESSION_TTL_S);
    return id;
  }
  async getSession(id: string): Promise<User | null> {
    const v = await this.redis.get(this.k.session(id));
    return v ? (JSON.parse(v) as User) : null;
  }
  async deleteSession(id: string): Promise<void> {
    await this.redis.del(this.k.session(id));
  }

  async failures(who: string): Promise<number> {
    return Number((await this.redis.get(this.k.loginFails(who))) ?? 0);
  }
  async recordFailure(who: string): Promise<number> {
    const key = this.k.loginFails(who);
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, FAIL_WINDOW_S).exec()) as [
      [null, number],
    ];
    return n;
  }
  async clearFailures(who: string): Promise<void> {
    await this.redis.del(this.k.loginFails(who));
  }
}
