import type { Role } from '../../shared/common.ts';
import type { User } from '../../shared/identity.ts';
import type { IdentityRepository } from '../repositories/identity.repository.ts';
import { DomainError } from './errors.ts';
import { hashPassword, safeEqual, verifyPassword } from './password.ts';

export const DEMO_USERS: { username: Role; displayName: string }[] = [
  { username: 'duty', displayName: '值班员 王敏' },
  { username: 'commander', displayName: '指挥长 李强' },
  { username: 'liaison', displayName: '联络员 张伟' },
  { username: 'admin', displayName: '管理员 陈静' },
];

/** Failed logins allowed per username+address in the window before `429`. */
export const MAX_LOGIN_FAILURES = 5;

export type Caller = { kind: 'user'; user: User } | { kind: 'key'; name: string };

export function actorOf(c: Caller): string {
  return c.kind === 'user' ? c.user.username : c.name;
}

export class AuthService {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly intakeKeys: string[],
  ) {}

  /** Demo mode: the four role accounts, all with the demo password. */
  async ensureDemoUsers(password: string): Promise<void> {
    for (const d of DEMO_USERS) {
      const existing = await this.repo.findUser(d.username);
      if (existing && (await verifyPassword(password, existing.passwordHash))) continue;
      await this.repo.saveUser({
        id: `user-${d.username}`,
        username: d.username,
        displayName: d.displayName,
        role: d.username,
        passwordHash: await hashPassword(password),
      });
    }
  }

  /** Production: demo accounts left in the store from a demo run must not work. */
  async removeDemoUsers(): Promise<void> {
    for (const d of DEMO_USERS) {
      const u = await this.repo.findUser(d.username);
      if (u?.id === `user-${d.username}`) await this.repo.removeUser(d.username);
    }
  }

  async addUser(username: string, displayName: string, role: Role, password: string): Promise<User> {
    const user: User = { id: `user-${username.toLowerCase()}`, username, displayName, role };
    await this.repo.saveUser({ ...user, passwordHash: await hashPassword(password) });
    return user;
  }

  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<{ user: User; sessionId: string }> {
    const who = `${username.toLowerCase()}|${address}`;
    if ((await this.repo.failures(who)) >= MAX_LOGIN_FAILURES) {
      throw new DomainError(429, 'rate_limited', 'too many failed logins; try again later', undefined, 60);
    }
    const stored = await this.repo.findUser(username);
    const ok = stored ? await verifyPassword(password, stored.passwordHash) : false;
    if (!stored || !ok) {
      await this.repo.recordFailure(who);
      throw new DomainError(401, 'unauthorized', 'wrong username or password');
    }
    await this.repo.clearFailures(who);
    const { passwordHash: _h, ...user } = stored;
    return { user, sessionId: await this.repo.createSession(user) };
  }

  logout(sessionId: string): Promise<void> {
    return this.repo.deleteSession(sessionId);
  }

  session(sessionId: string | undefined): Promise<User | null> {
    return sessionId ? this.repo.getSession(sessionId) : Promise.resolve(null);
  }

  /**
   * The session behind a live socket: who, the opaque key revocations name it by, and when it
   * expires (the gateway cuts the socket then). Interim: keyed by token until sessions are hashed.
   */
  async liveSession(
    sessionId: string | undefined,
  ): Promise<{ user: User; sessionKey: string; expiresAt: number } | null> {
    const user = await this.session(sessionId);
    if (!user || !sessionId) return null;
    return { user, sessionKey: sessionId, expiresAt: Date.now() + 12 * 3600 * 1000 };
  }

  /** An integration's bearer key; its actor name never reveals the key. */
  keyCaller(key: string): Caller | null {
    const i = this.intakeKeys.findIndex((k) => safeEqual(k, key));
    return i < 0 ? null : { kind: 'key', name: `integration-${i + 1}` };
  }
}
