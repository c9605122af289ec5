import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { User } from '../../shared/identity.ts';
import type { Keys } from '../infra/keys.ts';

/** A user as stored: `demo` marks the demo-mode accounts, the only ones a production start removes. */
export type StoredUser = User & { passwordHash: string; demo?: boolean };

/** What a session holds: who (by id, so role and existence are read fresh) and until when. */
export type StoredSession = { userId: string; username: string; createdAt: number; expiresAt: number };

export const SESSION_TTL_S = 12 * 3600;

/** The key a session is stored and revoked under: the token's sha256, so Redis (and its AOF) never holds a usable token. */
export function sessionKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * One login attempt against several counters, in one atomic step before any password is checked:
 * refused (with the longest remaining window of the counters at their limit) or counted in all.
 * Refused attempts are not counted, so hammering one blocked pair cannot push the account's
 * counter shared by every address.
 */
const ATTEMPT = `
local wait = 0
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n >= tonumber(ARGV[i]) then
    local t = redis.call('PTTL', KEYS[i])
    if t < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[#KEYS + 1]); t = tonumber(ARGV[#KEYS + 1]) end
    if t > wait then wait = t end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[#KEYS + 1]) end
end
return 0`;

/** A successful login: the pair's failures are forgiven, and the attempt counts against nothing shared. */
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1`;

/** Compare-and-set on one user record, compared as stored text (Lua never decodes user text). */
const SWAP_USER = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

/** Users, sessions and login counters, in Redis so every server process shares them. */
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
  /** Replaces `before` by `after` only if the record is still exactly `before`. */
  async swapUser(before: StoredUser, after: StoredUser): Promise<boolean> {
    const r = await this.redis.eval(
      SWAP_USER,
      1,
      this.k.users,
      before.username.toLowerCase(),
      JSON.stringify(before),
      JSON.stringify(after),
    );
    return r === 1;
  }
  async removeUser(username: string): Promise<void> {
    await this.redis.hdel(this.k.users, username.toLowerCase());
  }
  async listUsers(): Promise<StoredUser[]> {
    return Object.values(await this.redis.hgetall(this.k.users)).map((v) => JSON.parse(v) as StoredUser);
  }

  /** A new session; the token goes to the cookie only, Redis keeps its hash. */
  async createSession(user: User): Promise<{ token: string; sessionKey: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const sessionKey = sessionKeyOf(token);
    const createdAt = Date.now();
    const expiresAt = createdAt + SESSION_TTL_S * 1000;
    const value: StoredSession = { userId: user.id, username: user.username, createdAt, expiresAt };
    const index = this.k.userSessions(user.id);
    await this.redis
      .multi()
      .set(this.k.session(sessionKey), JSON.stringify(value), 'PXAT', expiresAt)
      .sadd(index, sessionKey)
      // The index lives as long as the user's newest session; members of expired ones are pruned below.
      .pexpireat(index, expiresAt)
      .exec();
    await this.pruneIndex(user.id);
    return { token, sessionKey, expiresAt };
  }

  async getSession(sessionKey: string): Promise<StoredSession | null> {
    const v = await this.redis.get(this.k.session(sessionKey));
    if (!v) return null;
    const s = JSON.parse(v) as Partial<StoredSession>;
    // A value without a user id is the old format (whole user, raw-token key): not a session any more.
    return typeof s.userId === 'string' ? (s as StoredSession) : null;
  }

  async deleteSession(sessionKey: string, userId?: string): Promise<void> {
    const m = this.redis.multi().del(this.k.session(sessionKey));
    if (userId) m.srem(this.k.userSessions(userId), sessionKey);
    await m.exec();
  }

  /** Ends every session of a user; answers their keys (for the revocation). */
  async endUserSessions(userId: string): Promise<string[]> {
    const index = this.k.userSessions(userId);
    const members = await this.redis.smembers(index);
    const m = this.redis.multi();
    for (const s of members) m.del(this.k.session(s));
    m.del(index);
    await m.exec();
    return members;
  }

  /** Drops index members whose session has expired, so a user's set stays as small as their live sessions. */
  private async pruneIndex(userId: string): Promise<void> {
    const index = this.k.userSessions(userId);
    const members = await this.redis.smembers(index);
    if (members.length < 8) return;
    const alive = await Promise.all(members.map((s) => this.redis.exists(this.k.session(s))));
    const stale = members.filter((_, i) => alive[i] === 0);
    if (stale.length) await this.redis.srem(index, ...stale);
  }

  /**
   * Sessions of the old format were stored under the raw token with the whole user: delete them,
   * so no usable token stays at rest (their users log in again).
   */
  async purgeLegacySessions(): Promise<number> {
    let cursor = '0';
    let purged = 0;
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.k.session('*'), 'COUNT', 500);
      cursor = next;
      if (!found.length) continue;
      const values = await this.redis.mget(...found);
      const legacy = found.filter((_, i) => values[i] !== null && !values[i]!.includes('"userId"'));
      if (legacy.length) purged += await this.redis.del(...legacy);
    } while (cursor !== '0');
    return purged;
  }

  /** 0 when the attempt is allowed (and counted); otherwise ms until the blocking counter's window ends. */
  async loginAttempt(counters: { key: string; limit: number }[], windowMs: number): Promise<number> {
    const r = await this.redis.eval(
      ATTEMPT,
      counters.length,
      ...counters.map((c) => this.k.loginFails(c.key)),
      ...counters.map((c) => c.limit),
      windowMs,
    );
    return Number(r);
  }

  /** `pair` is cleared; the other counters give back the attempt this login was counted as. */
  async loginSucceeded(pair: string, others: string[]): Promise<void> {
    await this.redis.eval(
      SUCCEEDED,
      1 + others.length,
      ...[pair, ...others].map((c) => this.k.loginFails(c)),
    );
  }
}
