import { randomBytes } from 'node:crypto';
import type { Role } from '../../shared/common.ts';
import type { User } from '../../shared/identity.ts';
import type { Person } from '../../shared/people.ts';
import { checkBinding, type Binding, type KnownBindings } from './binding.ts';
import type { Revocation } from './revocations.ts';
import { sessionKeyOf, type IdentityRepository, type StoredUser } from './identity.repository.ts';
import { DomainError } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';
import { safeEqual, scryptHasher, type PasswordHasher } from './password.ts';

/** How long a session lives; the login route sets its cookie for as long (routes read no repository). */
export { SESSION_TTL_S } from './identity.repository.ts';

/** The demo street: 万寿路街道, the grid's first street (and the simulator fixtures' own). */
export const DEMO_STREET_ID = '110108001';
/** The demo department: the city management commission, where the default routing sends most categories. */
export const DEMO_DEPARTMENT_ID = 'dept-cgw';

export const DEMO_USERS: ({ username: Role; displayName: string } & Binding)[] = [
  { username: 'duty', displayName: '值班员 王敏' },
  { username: 'commander', displayName: '指挥长 李强' },
  { username: 'liaison', displayName: '联络员 张伟' },
  { username: 'admin', displayName: '管理员 陈静' },
  { username: 'subcentre', displayName: '万寿路街道分中心 刘洋', streetId: DEMO_STREET_ID },
  { username: 'department', displayName: '区城管委 孙磊', departmentId: DEMO_DEPARTMENT_ID },
];

/**
 * Failed-login limits per 15-minute window. `pair` (one account from one address) is what a
 * guesser meets; `address` stops one address spraying many accounts; `account` stops a guesser
 * spread over many addresses. Only attempts that get their password checked count toward
 * `account`, and one address gets at most `pair` of those, so locking an account out takes
 * `account / pair` distinct addresses: one person behind one address (with TRUST_PROXY set, the
 * client's own) cannot lock the commander out.
 */
export const LOGIN_LIMITS = { pair: 5, address: 30, account: 50, windowS: 15 * 60 } as const;

/** An integration's key and the name it goes by (INTAKE_KEYS, parsed in config.ts). */
export type IntakeKey = { readonly name: string; readonly key: string };

export type Caller = { kind: 'user'; user: User } | { kind: 'key'; name: string };

export type LiveSession = { user: User; sessionKey: string; expiresAt: number };

/** Where ended sessions are announced (the revocation bus); every server process cuts their sockets. */
export type RevocationPublisher = { publish(r: Revocation): Promise<void> };

export function actorOf(c: Caller): string {
  return c.kind === 'user' ? c.user.username : c.name;
}

/**
 * Who sent an intake item: the actor its events carry, and the scope its `externalId` is unique
 * in. Each integration is a scope of its own (`key:<name>`), so one system can never post another's
 * `(source, externalId)` and take over its id. The centre's operators share one scope, `operator`:
 * they enter reports on the centre's behalf (a call taken by one duty officer and corrected by
 * another is the same report), and they are trusted with every case anyway.
 */
export type Sender = { actor: string; scope: string };

export const OPERATOR_SCOPE = 'operator';

export function senderOf(c: Caller): Sender {
  return c.kind === 'user' ? { actor: c.user.username, scope: OPERATOR_SCOPE } : integrationSender(c.name);
}

export const integrationSender = (name: string): Sender => ({ actor: name, scope: `key:${name}` });

const toUser = (u: StoredUser): User => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  // A scoped user's binding travels with it (req.user, /auth/me, the socket's scope).
  ...(u.streetId !== undefined && { streetId: u.streetId }),
  ...(u.departmentId !== undefined && { departmentId: u.departmentId }),
});

const sameBinding = (a: Binding, b: Binding) =>
  a.streetId === b.streetId && a.departmentId === b.departmentId;

/**
 * A demo account: marked `demo: true`. Records written before the mark existed are recognised by
 * the exact shape the demo seeding gave them (id `user-<name>`, the demo role and display name);
 * a real account never has that id any more (real ids are random).
 */
export function isDemoAccount(u: StoredUser): boolean {
  if (u.demo !== undefined) return u.demo === true;
  const d = DEMO_USERS.find((x) => x.username === u.username.toLowerCase());
  return !!d && u.id === `user-${d.username}` && u.role === d.username && u.displayName === d.displayName;
}

export class AuthService {
  private dummy: Promise<string> | null = null;

  constructor(
    private readonly repo: IdentityRepository,
    private readonly intakeKeys: readonly IntakeKey[],
    private readonly revocations: RevocationPublisher,
    /** Public so a test can count verifications; the product always uses scrypt. */
    readonly hasher: PasswordHasher = scryptHasher(),
    /** The streets and departments a scoped account may be bound to; none known: none may be added. */
    private readonly bindings: KnownBindings = { streets: new Map(), departments: new Map() },
  ) {}

  /**
   * Demo mode: the four role accounts, marked demo, all with the demo password. They share one
   * hash (same password), so a start costs one scrypt, not four. A real account of the same name
   * is left alone: answers the names skipped.
   */
  async ensureDemoUsers(password: string): Promise<string[]> {
    await this.repo.purgeLegacySessions();
    const current = await Promise.all(DEMO_USERS.map((d) => this.repo.findUser(d.username)));
    const slots = DEMO_USERS.map((d, i) => ({ d, cur: current[i] })).filter(
      (s) => !s.cur || isDemoAccount(s.cur),
    );
    const skipped = DEMO_USERS.filter((d) => !slots.some((s) => s.d === d)).map((d) => d.username);
    const hashes = new Set(slots.map((s) => s.cur?.passwordHash ?? ''));
    let hash: string | null = null;
    if (hashes.size === 1 && !hashes.has('')) {
      const [only] = hashes;
      const v = await this.hasher.verify(password, only!);
      if (v.ok && !v.needsRehash) hash = only!;
    }
    hash ??= await this.hasher.hash(password);
    for (const { d, cur } of slots) {
      const next: StoredUser = {
        id: cur?.id ?? `user-${d.username}`,
        username: d.username,
        displayName: d.displayName,
        role: d.username,
        ...(d.streetId !== undefined && { streetId: d.streetId }),
        ...(d.departmentId !== undefined && { departmentId: d.departmentId }),
        passwordHash: hash,
        demo: true,
      };
      if (cur && JSON.stringify(cur) === JSON.stringify(next)) continue;
      await this.repo.saveUser(next);
      // A new demo password ends the sessions opened with the old one.
      if (cur && cur.passwordHash !== hash) await this.endSessions(cur.id, 'password_changed');
      else if (cur && !sameBinding(cur, d)) await this.endSessions(cur.id, 'scope_changed');
    }
    return skipped;
  }

  /**
   * Production: accounts left from a demo run must not work, and neither may their sessions.
   * Only accounts marked demo go; a real `commander` stays.
   */
  async removeDemoUsers(): Promise<string[]> {
    await this.repo.purgeLegacySessions();
    const demo = (await this.repo.listUsers()).filter(isDemoAccount);
    for (const u of demo) {
      await this.repo.removeUser(u.username);
      await this.endSessions(u.id, 'demo_account_removed');
    }
    return demo.map((u) => u.username);
  }

  /**
   * Creates or updates a real account; a scoped role with its binding (`streetId` for a
   * `subcentre`, `departmentId` for a `department`, checked against the grid and the departments:
   * 400 naming the field). A role or binding change (or replacing a demo account) ends the user's
   * sessions everywhere: their sockets were opened with the old rights and the old scope.
   */
  async addUser(
    username: string,
    displayName: string,
    role: Role,
    password: string,
    binding: Binding = {},
  ): Promise<User> {
    const bound = checkBinding(role, binding, this.bindings);
    const cur = await this.repo.findUser(username);
    const real = cur && !isDemoAccount(cur) ? cur : null;
    // Random, so a real account never shares an id with a demo account of the same name.
    const user: User = { id: real?.id ?? newId('user'), username, displayName, role, ...bound };
    await this.repo.saveUser({ ...user, passwordHash: await this.hasher.hash(password), demo: false });
    if (cur && !real) await this.endSessions(cur.id, 'demo_account_replaced');
    else if (real && real.role !== role) await this.endSessions(real.id, 'role_changed');
    else if (real && !sameBinding(real, bound)) await this.endSessions(real.id, 'scope_changed');
    return user;
  }

  async removeUser(username: string): Promise<boolean> {
    const cur = await this.repo.findUser(username);
    if (!cur) return false;
    await this.repo.removeUser(username);
    await this.endSessions(cur.id, 'user_removed');
    return true;
  }

  /** Ends every session of a user, here and (through the bus) on every process's sockets. */
  private async endSessions(userId: string, reason: string): Promise<void> {
    const sessionKeys = await this.repo.endUserSessions(userId);
    await this.revocations.publish({ userIds: [userId], sessionKeys, reason });
  }

  /** Hash of a random password: an unknown user's attempt costs one scrypt, like a real one's. */
  dummyHash(): Promise<string> {
    this.dummy ??= this.hasher.hash(randomBytes(18).toString('base64url'));
    return this.dummy;
  }

  async login(username: string, password: string, address: string): Promise<LiveSession & { token: string }> {
    const name = username.toLowerCase();
    const pair = `pair:${name}|${address}`;
    const shared = [`addr:${address}`, `acct:${name}`];
    // Checked and counted in one atomic step before the password is: parallel guesses cannot all
    // read "below the limit" and then all be verified.
    const waitMs = await this.repo.loginAttempt(
      [
        { key: pair, limit: LOGIN_LIMITS.pair },
        { key: shared[0]!, limit: LOGIN_LIMITS.address },
        { key: shared[1]!, limit: LOGIN_LIMITS.account },
      ],
      LOGIN_LIMITS.windowS * 1000,
    );
    if (waitMs > 0) {
      throw new DomainError(
        429,
        'rate_limited',
        'too many failed logins; try again later',
        undefined,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
    }
    const stored = await this.repo.findUser(name);
    const verdict = await this.hasher.verify(password, stored?.passwordHash ?? (await this.dummyHash()));
    if (!stored || !verdict.ok) throw new DomainError(401, 'unauthorized', 'wrong username or password');
    await this.repo.loginSucceeded(pair, shared);
    // A hash of an older cost is replaced now, while the password is at hand; only if unchanged meanwhile.
    if (verdict.needsRehash)
      await this.repo.swapUser(stored, { ...stored, passwordHash: await this.hasher.hash(password) });
    const user = toUser(stored);
    const s = await this.repo.createSession(user);
    return { user, ...s };
  }

  async logout(sessionKey: string): Promise<void> {
    const s = await this.repo.getSession(sessionKey);
    await this.repo.deleteSession(sessionKey, s?.userId);
    await this.revocations.publish({ sessionKeys: [sessionKey], reason: 'logout' });
  }

  /**
   * The session behind a cookie's token: the user read fresh (removed → null; a role change has
   * ended the session), the key revocations name it by (the token's hash), and when it expires (ms).
   */
  async liveSession(token: string | undefined): Promise<LiveSession | null> {
    if (!token) return null;
    const sessionKey = sessionKeyOf(token);
    const s = await this.repo.getSession(sessionKey);
    if (!s || s.expiresAt <= Date.now()) return null;
    const stored = await this.repo.findUser(s.username);
    // Same name, other id: the account was removed and made again; the old session is not its.
    if (!stored || stored.id !== s.userId) return null;
    return { user: toUser(stored), sessionKey, expiresAt: s.expiresAt };
  }

  async session(token: string | undefined): Promise<User | null> {
    return (await this.liveSession(token))?.user ?? null;
  }

  /**
   * An integration's bearer key → its name (INTAKE_KEYS `name:key`, or `integration-N`): the actor
   * of every event it causes, so the audit trail shows which system sent what. Never the key.
   * Every key is compared (constant time each): which one matched leaks nothing through timing.
   */
  keyCaller(key: string): Caller | null {
    let found: IntakeKey | null = null;
    for (const k of this.intakeKeys) if (safeEqual(k.key, key) && !found) found = k;
    return found ? { kind: 'key', name: found.name } : null;
  }

  /**
   * `GET /api/v1/people`: every account (name, display name, role; nothing else) and every
   * integration by name (never its key), for showing actors by their names.
   */
  async people(): Promise<Person[]> {
    const users = (await this.repo.listUsers())
      .map((u): Person => ({ username: u.username, displayName: u.displayName, kind: 'user', role: u.role }))
      .sort((a, b) => a.username.localeCompare(b.username));
    const systems = this.intakeKeys.map((k): Person => ({
      username: k.name,
      displayName: k.name,
      kind: 'system',
    }));
    return [...users, ...systems];
  }
}
