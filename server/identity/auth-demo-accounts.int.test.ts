import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../infra/keys.ts';
import { connect } from '../infra/redis.ts';
import { RevocationBus, type Revocation } from './revocations.ts';
import { isDemoAccount } from './auth.service.ts';
import { until } from '../testing/command-helpers.ts';
import { login, startTestRedis, startTestServer, type TestRedis } from '../testing/harness.ts';

const PREFIX = '{pzdemo}';

async function me(url: string, cookie: string): Promise<number> {
  return (await fetch(`${url}/api/v1/auth/me`, { headers: { cookie } })).status;
}

async function tryLogin(url: string, username: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return res.status;
}

describe('demo accounts across a restart into production', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => redis?.stop());

  it('a real `commander` survives a production start; demo accounts and their sessions do not', async () => {
    const demo = await startTestServer({ redisUrl: redis.url, prefix: PREFIX });
    const dutyCookie = await login(demo.url, 'duty');
    const real = await demo.container.auth.addUser(
      'commander',
      '指挥长 赵刚',
      'commander',
      'a-real-password',
    );
    expect(real.id).not.toBe('user-commander');
    const stored = JSON.parse((await demo.container.redis.hget(demo.container.keys.users, 'duty'))!);
    expect(stored.demo).toBe(true);
    await demo.close();

    // Another process listening, as every server process does, for the revocations of the start.
    const k = keys(PREFIX);
    const pub = connect(redis.url, 'test-pub');
    const bus = new RevocationBus(pub, () => connect(redis.url, 'test-sub'), k.revocations);
    const heard: Revocation[] = [];
    await bus.subscribe((r) => heard.push(r));

    // A session in the old format: the raw token as key, the whole user as value.
    const legacyToken = 'legacy-raw-token-0123456789abcdefghij';
    await pub.set(k.session(legacyToken), JSON.stringify({ ...real, role: 'commander' }), 'EX', 3600);

    const prod = await startTestServer({
      redisUrl: redis.url,
      prefix: PREFIX,
      config: { production: true, demoPassword: null },
    });
    try {
      expect(await tryLogin(prod.url, 'commander', 'a-real-password')).toBe(200);
      expect(await tryLogin(prod.url, 'duty', 'pingzhan')).toBe(401);
      expect(await me(prod.url, dutyCookie)).toBe(401);
      expect(await prod.container.auth.liveSession(legacyToken)).toBeNull();
      expect(await pub.exists(k.session(legacyToken))).toBe(0);
      const left = Object.keys(await prod.container.redis.hgetall(k.users));
      expect(left).toEqual(['commander']);
      await until(async () =>
        heard.some((r) => r.reason === 'demo_account_removed' && r.userIds?.includes(stored.id)),
      );
    } finally {
      await prod.close();
      await bus.close();
      pub.disconnect();
    }

    // Back in demo mode, the real commander is still not overwritten by the demo one.
    const again = await startTestServer({ redisUrl: redis.url, prefix: PREFIX });
    try {
      expect(await tryLogin(again.url, 'commander', 'pingzhan')).toBe(401);
      expect(await tryLogin(again.url, 'commander', 'a-real-password')).toBe(200);
      expect(await tryLogin(again.url, 'duty', 'pingzhan')).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('records from before the demo mark: only the exact demo shape counts as demo', () => {
    const base = { username: 'commander', role: 'commander' as const, passwordHash: 'scrypt$x' };
    expect(isDemoAccount({ ...base, id: 'user-commander', displayName: '指挥长 李强' })).toBe(true);
    expect(isDemoAccount({ ...base, id: 'user-commander', displayName: 'Real Commander' })).toBe(false);
    expect(isDemoAccount({ ...base, id: 'user-commander', displayName: '指挥长 李强', demo: false })).toBe(
      false,
    );
    expect(isDemoAccount({ ...base, id: 'user-1234', displayName: 'x', demo: true })).toBe(true);
  });
});
