import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { LOGIN_LIMITS } from './auth.service.ts';
import { hashPassword } from './password.ts';

type Inject = { status: number; headers: Record<string, unknown>; cookie: string; at: number };

/** A login through the real app from a given client address (and, behind a proxy, X-Forwarded-For). */
async function loginFrom(
  s: TestServer,
  remoteAddress: string,
  username: string,
  password: string,
  forwardedFor?: string,
): Promise<Inject> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  const setCookie = String(res.headers['set-cookie'] ?? '');
  return { status: res.statusCode, headers: res.headers, cookie: setCookie.split(';')[0]!, at: Date.now() };
}

/** When a login counter's window ends (unix ms), as Redis holds it. */
const windowEnd = (s: TestServer, counter: string): Promise<number> =>
  s.container.redis.pexpiretime(s.container.keys.loginFails(counter));

/** Retry-After told the truth: the moment it names is when the counter's window ends (±1 s of rounding). */
function expectTruthfulRetryAfter(r: Inject, end: number): void {
  const ra = Number(r.headers['retry-after']);
  expect(Number.isInteger(ra)).toBe(true);
  expect(Math.abs(r.at + ra * 1000 - end)).toBeLessThanOrEqual(1500);
}

/**
 * An account whose stored hash has a low scrypt cost: verification follows the stored parameters,
 * so tests that need dozens of real verifications stay fast.
 */
async function seedCheapUser(s: TestServer, username: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password, { N: 1024, r: 8, p: 1 });
  await s.container.redis.hset(
    s.container.keys.users,
    username,
    JSON.stringify({
      id: `user-t-${username}`,
      username,
      displayName: username,
      role: 'duty',
      passwordHash,
      demo: false,
    }),
  );
}

/** Counts the password verifications the real scrypt hasher performs (and with which stored hash). */
function countVerifications(s: TestServer): { count: () => number; stored: string[] } {
  const hasher = s.container.auth.hasher;
  const real = hasher.verify.bind(hasher);
  const stored: string[] = [];
  hasher.verify = (password, hash) => {
    stored.push(hash);
    return real(password, hash);
  };
  return { count: () => stored.length, stored };
}

describe('login limits', () => {
  let s: TestServer;
  let verified: ReturnType<typeof countVerifications>;
  beforeAll(async () => {
    s = await startTestServer();
    verified = countVerifications(s);
  });
  afterAll(async () => s?.close());

  it('40 parallel wrong passwords: at most the limit are verified, the rest 429 with the true Retry-After', async () => {
    const before = verified.count();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => loginFrom(s, '198.51.100.7', 'commander', 'wrong-guess')),
    );
    const n401 = answers.filter((a) => a.status === 401).length;
    const refused = answers.filter((a) => a.status === 429);
    expect(n401).toBe(LOGIN_LIMITS.pair);
    expect(refused.length).toBe(40 - LOGIN_LIMITS.pair);
    expect(verified.count() - before).toBe(LOGIN_LIMITS.pair);
    // Retry-After is the time left in the counter's window as Redis holds it, not a constant.
    const end = await windowEnd(s, 'pair:commander|198.51.100.7');
    for (const r of refused) expectTruthfulRetryAfter(r, end);
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(LOGIN_LIMITS.windowS - 120);
    // The right password is refused too while the pair is locked, and is not even checked.
    const mid = verified.count();
    expect((await loginFrom(s, '198.51.100.7', 'commander', 'pingzhan')).status).toBe(429);
    expect(verified.count()).toBe(mid);
  });

  it('an unknown user is verified against a dummy hash, like a wrong password for a real one', async () => {
    const before = verified.count();
    expect((await loginFrom(s, '198.51.100.20', 'nobody-here', 'whatever')).status).toBe(401);
    expect(verified.count() - before).toBe(1);
    expect(verified.stored.at(-1)).toBe(await s.container.auth.dummyHash());
    expect(verified.stored.at(-1)).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await loginFrom(s, '198.51.100.20', 'duty', 'whatever')).status).toBe(401);
    expect(verified.count() - before).toBe(2);
    const duty = await s.container.redis.hget(s.container.keys.users, 'duty');
    expect(verified.stored.at(-1)).toBe(JSON.parse(duty!).passwordHash);
  });

  it('a success clears its pair counter', async () => {
    await seedCheapUser(s, 'forgiven', 'right-password');
    for (let i = 0; i < LOGIN_LIMITS.pair - 1; i++)
      expect((await loginFrom(s, '198.51.100.30', 'forgiven', 'nope')).status).toBe(401);
    expect((await loginFrom(s, '198.51.100.30', 'forgiven', 'right-password')).status).toBe(200);
    await seedCheapUser(s, 'forgiven', 'right-password'); // the login re-hashed it at full cost
    for (let i = 0; i < LOGIN_LIMITS.pair; i++)
      expect((await loginFrom(s, '198.51.100.30', 'forgiven', 'nope')).status).toBe(401);
    expect((await loginFrom(s, '198.51.100.30', 'forgiven', 'nope')).status).toBe(429);
  });

  it('one address spraying many accounts is stopped at the address limit', async () => {
    const ip = '198.51.100.40';
    for (let i = 0; i <= LOGIN_LIMITS.address; i++) await seedCheapUser(s, `sprayed-${i}`, 'right');
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_LIMITS.address; i++)
      statuses.push((await loginFrom(s, ip, `sprayed-${i}`, 'x')).status);
    expect(statuses.slice(0, LOGIN_LIMITS.address).every((x) => x === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('many addresses against one account meet the account limit; one address alone never does', async () => {
    await seedCheapUser(s, 'target', 'right-password');
    const hammerer = '203.0.113.1';
    // One address hammering far past its pair limit adds only `pair` to the account's counter.
    for (let i = 0; i < 3 * LOGIN_LIMITS.pair; i++) await loginFrom(s, hammerer, 'target', 'nope');
    expect((await loginFrom(s, '203.0.113.250', 'target', 'right-password')).status).toBe(200);
    await seedCheapUser(s, 'target', 'right-password');
    // Enough distinct addresses do lock the account everywhere, with the account counter's Retry-After.
    const spread = LOGIN_LIMITS.account / LOGIN_LIMITS.pair;
    for (let a = 2; a <= spread + 1; a++)
      for (let i = 0; i < LOGIN_LIMITS.pair; i++) await loginFrom(s, `203.0.113.${a}`, 'target', 'nope');
    const locked = await loginFrom(s, '203.0.113.251', 'target', 'right-password');
    expect(locked.status).toBe(429);
    expectTruthfulRetryAfter(locked, await windowEnd(s, 'acct:target'));
  });

  it('an old-cost hash still verifies and is re-hashed at the current cost on login', async () => {
    const legacy = (await hashPassword('an-older-password', { N: 16384, r: 8, p: 1 })).split('$');
    // The format before parameters were stored: scrypt$N$salt$hash.
    const old = `scrypt$16384$${legacy[4]}$${legacy[5]}`;
    await s.container.redis.hset(
      s.container.keys.users,
      'veteran',
      JSON.stringify({
        id: 'user-veteran',
        username: 'veteran',
        displayName: 'V',
        role: 'duty',
        passwordHash: old,
      }),
    );
    expect((await loginFrom(s, '198.51.100.50', 'veteran', 'an-older-password')).status).toBe(200);
    const now = JSON.parse((await s.container.redis.hget(s.container.keys.users, 'veteran'))!);
    expect(now.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await loginFrom(s, '198.51.100.50', 'veteran', 'an-older-password')).status).toBe(200);
  });
});

describe('login limits behind a proxy (TRUST_PROXY)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { TRUST_PROXY: '10.9.9.9' } });
  });
  afterAll(async () => s?.close());

  it('the limit is per client address: one client locked out, another logs in as the same account', async () => {
    const proxy = '10.9.9.9';
    for (let i = 0; i < 2 * LOGIN_LIMITS.pair; i++)
      await loginFrom(s, proxy, 'commander', 'nope', '192.0.2.66');
    expect((await loginFrom(s, proxy, 'commander', 'pingzhan', '192.0.2.66')).status).toBe(429);
    const other = await loginFrom(s, proxy, 'commander', 'pingzhan', '192.0.2.77');
    expect(other.status).toBe(200);
    expect(other.cookie).toMatch(/^pz_session=/);
  });
});
