import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Revocation } from './revocations.ts';
import { sessionKeyOf } from './identity.repository.ts';
import { until } from '../testing/command-helpers.ts';
import { login, startTestServer, type TestServer } from '../testing/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tokenOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]!);

async function me(s: TestServer, cookie: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie } });
  return { status: res.status, body: await res.json() };
}

/** `npm run user:add` as an operator runs it: its own process, against the server's Redis. */
function addUserProcess(
  s: TestServer,
  args: string[],
  password: string,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/add-user.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: s.container.redisUrl, PZ_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('sessions', () => {
  let s: TestServer;
  const revocations: Revocation[] = [];
  beforeAll(async () => {
    // The script uses the product's key prefix; this server has a Redis of its own.
    s = await startTestServer({ prefix: '{pz}' });
    await s.container.revocations.subscribe((r) => revocations.push(r));
  });
  afterAll(async () => s?.close());

  it('Redis holds no raw session token, only its hash', async () => {
    const cookie = await login(s.url, 'duty');
    const token = tokenOf(cookie);
    expect(token.length).toBeGreaterThan(30);
    const r = s.container.redis;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(token);
      const type = await r.type(key);
      const content =
        type === 'string'
          ? await r.get(key)
          : type === 'hash'
            ? JSON.stringify(await r.hgetall(key))
            : type === 'set'
              ? JSON.stringify(await r.smembers(key))
              : '';
      expect(content ?? '').not.toContain(token);
    }
    const stored = JSON.parse((await r.get(s.container.keys.session(sessionKeyOf(token))))!);
    expect(Object.keys(stored).sort()).toEqual(['createdAt', 'expiresAt', 'userId', 'username']);
    expect(await r.sismember(s.container.keys.userSessions(stored.userId), sessionKeyOf(token))).toBe(1);
  });

  it('liveSession answers the user, the token hash as sessionKey, and the real expiry', async () => {
    const token = tokenOf(await login(s.url, 'liaison'));
    const live = await s.container.auth.liveSession(token);
    expect(live?.user).toMatchObject({ username: 'liaison', role: 'liaison' });
    expect(live?.sessionKey).toBe(sessionKeyOf(token));
    const expiry = await s.container.redis.pexpiretime(s.container.keys.session(live!.sessionKey));
    expect(live?.expiresAt).toBe(expiry);
    expect(await s.container.auth.liveSession('not-a-token')).toBeNull();
  });

  it('logout ends the session and publishes its revocation', async () => {
    const cookie = await login(s.url, 'commander');
    expect((await me(s, cookie)).status).toBe(200);
    await fetch(`${s.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    const key = sessionKeyOf(tokenOf(cookie));
    await until(async () => revocations.some((r) => r.reason === 'logout' && r.sessionKeys?.includes(key)));
    expect((await me(s, cookie)).status).toBe(401);
  });

  it('removing a user ends all their sessions at once and publishes it', async () => {
    const user = await s.container.auth.addUser('leaving', 'Leaving Soon', 'duty', 'a-long-password');
    const a = await login(s.url, 'leaving', 'a-long-password');
    const b = await login(s.url, 'leaving', 'a-long-password');
    expect((await me(s, a)).body.user).toEqual(user);
    expect(await s.container.auth.removeUser('leaving')).toBe(true);
    await until(async () =>
      revocations.some(
        (r) =>
          r.reason === 'user_removed' &&
          r.userIds?.includes(user.id) &&
          [a, b].every((c) => r.sessionKeys?.includes(sessionKeyOf(tokenOf(c)))),
      ),
    );
    expect((await me(s, a)).status).toBe(401);
    expect((await me(s, b)).status).toBe(401);
    // The same name made again is another account: the old sessions stay dead.
    await s.container.auth.addUser('leaving', 'Back Again', 'duty', 'a-long-password');
    expect((await me(s, a)).status).toBe(401);
  });

  it('`npm run user:add` changing a role, from its own process, ends the sessions at once', async () => {
    const first = await addUserProcess(s, ['rotating', 'liaison', '轮岗 员'], 'first-password');
    expect(first).toMatchObject({ code: 0 });
    const cookie = await login(s.url, 'rotating', 'first-password');
    const before = (await me(s, cookie)).body.user;
    expect(before).toMatchObject({ username: 'rotating', role: 'liaison' });
    expect(before.id).not.toBe('user-rotating');

    const second = await addUserProcess(s, ['rotating', 'commander', '轮岗 员'], 'second-password');
    expect(second).toMatchObject({ code: 0 });
    // By the time the script has exited, the session is gone and every process has been told.
    expect((await me(s, cookie)).status).toBe(401);
    await until(async () =>
      revocations.some((r) => r.reason === 'role_changed' && r.userIds?.includes(before.id)),
    );
    const again = await login(s.url, 'rotating', 'second-password');
    expect((await me(s, again)).body.user).toEqual({ ...before, role: 'commander' });
  });

  it('`npm run user:add -- --remove` from its own process ends the sessions at once', async () => {
    const user = await s.container.auth.addUser('retiring', 'Retiring', 'duty', 'a-long-password');
    const cookie = await login(s.url, 'retiring', 'a-long-password');
    expect(await addUserProcess(s, ['--remove', 'retiring'], '')).toMatchObject({ code: 0 });
    expect((await me(s, cookie)).status).toBe(401);
    await until(async () =>
      revocations.some((r) => r.reason === 'user_removed' && r.userIds?.includes(user.id)),
    );
  });

  it('the same role again keeps the sessions (nothing about the rights changed)', async () => {
    await s.container.auth.addUser('steady', 'Steady', 'duty', 'a-long-password');
    const cookie = await login(s.url, 'steady', 'a-long-password');
    await s.container.auth.addUser('steady', 'Steady Renamed', 'duty', 'a-long-password');
    expect((await me(s, cookie)).body.user.displayName).toBe('Steady Renamed');
  });
});
