import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from '../testing/live-client.ts';
import { login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * A live socket lives no longer than the session it was opened with: logout, a revocation naming
 * the user (removed, role changed) and expiry each cut it, and the console is told why first so
 * that it goes to the login page instead of reconnecting.
 */
describe('live sockets end with their session', () => {
  let s: TestServer;
  let n = 0;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  const post = () =>
    postJson(`${s.url}/api/v1/incidents`, {
      source: 'grid-app',
      externalId: `session-${++n}`,
      kind: 'case',
      category: 'other',
      title: `会话测试 ${n}`,
      location: { lng: 116.1 + (n % 40) * 0.007, lat: 39.9 },
    });

  /** Posts one incident and waits until `witness` has it: proof the feed moved on. */
  async function oneMoreEvent(witness: RecordingClient): Promise<number> {
    const r = await post();
    expect(r.status).toBe(202);
    const head = witness.lastSeq + 1;
    await witness.waitForSeq(head);
    return head;
  }

  async function userId(cookie: string): Promise<string> {
    const res = await fetch(`${s.url}/api/v1/auth/me`, { headers: { cookie } });
    return ((await res.json()) as { user: { id: string } }).user.id;
  }

  it('logout disconnects the socket opened with that session, and it gets no further event', async () => {
    const witness = new RecordingClient(s.url, await login(s.url, 'commander'));
    const cookie = await login(s.url, 'duty');
    const c = new RecordingClient(s.url, cookie);
    await Promise.all([witness.connected(), c.connected()]);
    const seen = await oneMoreEvent(witness);
    await c.waitForSeq(seen);

    const out = await postJson(`${s.url}/api/v1/auth/logout`, {}, { cookie });
    expect(out.status).toBe(200);
    await expect.poll(() => c.disconnects.length, { timeout: 10_000 }).toBe(1);
    expect(c.ended).toEqual([{ reason: expect.any(String) }]);
    expect(c.disconnects[0]).toBe('io server disconnect');

    const after = await oneMoreEvent(witness);
    expect(c.events.some((e) => e.seq >= after)).toBe(false);
    expect(witness.socket.connected).toBe(true);
    witness.close();
  });

  it('a revocation naming the user cuts every socket of that user, and only theirs', async () => {
    const other = new RecordingClient(s.url, await login(s.url, 'commander'));
    const cookieA = await login(s.url, 'liaison');
    const cookieB = await login(s.url, 'liaison');
    const a = new RecordingClient(s.url, cookieA);
    const b = new RecordingClient(s.url, cookieB);
    await Promise.all([other.connected(), a.connected(), b.connected()]);

    await s.container.revocations.publish({ userIds: [await userId(cookieA)], reason: 'role_changed' });
    await expect.poll(() => a.disconnects.length + b.disconnects.length, { timeout: 10_000 }).toBe(2);
    expect(a.ended).toEqual([{ reason: 'role_changed' }]);
    expect(b.ended).toEqual([{ reason: 'role_changed' }]);
    const after = await oneMoreEvent(other);
    expect(a.events.concat(b.events).some((e) => e.seq >= after)).toBe(false);
    expect(other.socket.connected).toBe(true);
    other.close();
  });

  it('a revocation naming the session key cuts that session only', async () => {
    const cookieA = await login(s.url, 'duty');
    const cookieB = await login(s.url, 'duty');
    const a = new RecordingClient(s.url, cookieA);
    const b = new RecordingClient(s.url, cookieB);
    await Promise.all([a.connected(), b.connected()]);
    const sid = decodeURIComponent(cookieA.split('=')[1]);
    const key = (await s.container.auth.liveSession(sid))!.sessionKey;
    await s.container.revocations.publish({ sessionKeys: [key], reason: 'logout' });
    await expect.poll(() => a.disconnects.length, { timeout: 10_000 }).toBe(1);
    expect(a.ended).toEqual([{ reason: 'logout' }]);
    await oneMoreEvent(b);
    expect(b.socket.connected).toBe(true);
    b.close();
  });

  it('a session that expires cuts its socket at expiry (a timer, no polling)', async () => {
    const auth = s.container.auth;
    const real = auth.liveSession.bind(auth);
    // The real session, with its expiry brought forward to just after the handshake.
    auth.liveSession = async (token) => {
      const live = await real(token);
      return live && { ...live, expiresAt: Date.now() + 400 };
    };
    let c: RecordingClient;
    try {
      c = new RecordingClient(s.url, await login(s.url, 'duty'));
      await c.connected();
    } finally {
      auth.liveSession = real;
    }
    await expect.poll(() => c.disconnects.length, { timeout: 10_000 }).toBe(1);
    expect(c.ended).toEqual([{ reason: 'expired' }]);
  });

  it('a session already expired when the socket opens is cut at once', async () => {
    const auth = s.container.auth;
    const real = auth.liveSession.bind(auth);
    auth.liveSession = async (token) => {
      const live = await real(token);
      return live && { ...live, expiresAt: Date.now() - 1 };
    };
    try {
      const c = new RecordingClient(s.url, await login(s.url, 'duty'));
      await expect.poll(() => c.ended, { timeout: 10_000 }).toEqual([{ reason: 'expired' }]);
      await expect.poll(() => c.socket.connected).toBe(false);
    } finally {
      auth.liveSession = real;
    }
  });

  it('a revocation that lands while the handshake looks the session up still cuts the socket', async () => {
    const auth = s.container.auth;
    const real = auth.liveSession.bind(auth);
    const gw = s.live.gateway;
    auth.liveSession = async (token) => {
      const live = await real(token);
      if (!live) return live;
      // Logged out elsewhere after the session was read, before the socket is indexed.
      const before = { ...gw.ended };
      const seen = gw.revocationsSeen;
      await s.container.revocations.publish({ sessionKeys: [live.sessionKey], reason: 'logout' });
      await expect.poll(() => gw.revocationsSeen).toBeGreaterThan(seen);
      expect(gw.ended).toEqual(before);
      return live;
    };
    try {
      const c = new RecordingClient(s.url, await login(s.url, 'duty'));
      await expect.poll(() => c.ended, { timeout: 10_000 }).toEqual([{ reason: 'logout' }]);
      await expect.poll(() => c.socket.connected).toBe(false);
    } finally {
      auth.liveSession = real;
    }
  });

  it('a console that leaves while its since is being looked up leaves nothing in the fan-out', async () => {
    const store = s.container.store;
    const real = store.oldestSeq.bind(store);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked = false;
    store.oldestSeq = async () => {
      asked = true;
      await held;
      return real();
    };
    try {
      const base = s.live.fanOut.clientCount;
      const baseSockets = s.live.gateway.sessionSockets;
      const c = new RecordingClient(s.url, await login(s.url, 'duty'), 0);
      await c.connected();
      await expect.poll(() => asked).toBe(true);
      c.close();
      await expect.poll(() => s.live.gateway.sessionSockets).toBe(baseSockets);
      release();
      await expect.poll(() => s.live.fanOut.clientCount).toBe(base);
      // And it stays so after the next frame.
      const w = new RecordingClient(s.url, await login(s.url, 'commander'));
      await w.connected();
      await oneMoreEvent(w);
      expect(s.live.fanOut.clientCount).toBe(base + 1);
      w.close();
    } finally {
      store.oldestSeq = real;
      release();
    }
  });
});
