import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

describe('identity', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  it('logs in each demo role with an HttpOnly SameSite=Strict cookie; me and logout work', async () => {
    for (const role of ['duty', 'commander', 'liaison', 'admin']) {
      const res = await fetch(`${s.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: role, password: 'pingzhan' }),
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.user).toMatchObject({ username: role, role });
      expect(body.user.passwordHash).toBeUndefined();
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      const cookie = setCookie.split(';')[0];
      const me = await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie } });
      expect((await me.json()).user.role).toBe(role);
      await fetch(`${s.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
      expect((await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
    }
  });

  it('answers 401 to wrong credentials and 429 after repeated failures', async () => {
    const url = `${s.url}/api/v1/auth/login`;
    const wrong = await postJson(url, { username: 'liaison', password: 'nope' }, {});
    expect(wrong.status).toBe(401);
    let status = 401;
    for (let i = 0; i < 6 && status === 401; i++) {
      status = (await postJson(url, { username: 'liaison', password: 'nope' }, {})).status;
    }
    expect(status).toBe(429);
    // Even the right password is refused while the limit holds.
    expect((await postJson(url, { username: 'liaison', password: 'pingzhan' }, {})).status).toBe(429);
    expect((await postJson(url, { username: 'nobody', password: 'x' }, {})).status).toBe(401);
  });

  it('stores only scrypt hashes', async () => {
    const raw = await s.container.redis.hget(s.container.keys.users, 'duty');
    expect(raw).toMatch(/"passwordHash":"scrypt\$/);
    expect(raw).not.toContain('pingzhan');
  });

  it('needs a session to read state', async () => {
    expect((await fetch(`${s.url}/api/v1/snapshot`)).status).toBe(401);
    const cookie = await login(s.url, 'duty');
    expect((await fetch(`${s.url}/api/v1/snapshot`, { headers: { cookie } })).status).toBe(200);
  });
});
