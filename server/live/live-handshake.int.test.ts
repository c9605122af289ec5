import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecordingClient } from '../testing/live-client.ts';
import { login, startTestServer, type TestServer } from '../testing/harness.ts';

/** What the live socket's handshake lets in: which Origins, and which `since`. */
describe('the live handshake', () => {
  let s: TestServer;
  let cookie: string;
  beforeAll(async () => {
    s = await startTestServer({
      config: { allowedOrigins: ['https://wall.example.cn'], trustProxy: ['loopback'] },
    });
    cookie = await login(s.url, 'duty');
  });
  afterAll(async () => s?.close());

  /** A raw WebSocket handshake: the HTTP status and body when it is refused, 101 when taken. */
  function handshake(headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      headers: { cookie, ...headers },
    });
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        ws.terminate();
        resolve({ status: 101, body: '' });
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', (e) => {
        if (!/Unexpected server response/.test(e.message)) reject(e);
      });
    });
  }

  describe('Origin', () => {
    it("takes the server's own origin", async () => {
      const c = new RecordingClient(s.url, cookie, undefined, { headers: { origin: s.url } });
      await c.connected();
      c.close();
    });

    it('takes an origin listed in ALLOWED_ORIGINS', async () => {
      const c = new RecordingClient(s.url, cookie, undefined, {
        headers: { origin: 'https://wall.example.cn' },
      });
      await c.connected();
      c.close();
    });

    it('takes no Origin at all (a non-browser client: it can only show a cookie it already holds)', async () => {
      const c = new RecordingClient(s.url, cookie);
      await c.connected();
      c.close();
    });

    it('behind a trusted proxy, takes the origin the proxy says it served (X-Forwarded-Host/Proto)', async () => {
      const c = new RecordingClient(s.url, cookie, undefined, {
        headers: {
          origin: 'https://console.example.cn',
          'x-forwarded-host': 'console.example.cn',
          'x-forwarded-proto': 'https',
        },
      });
      await c.connected();
      c.close();
    });

    it('refuses a foreign origin even with a valid session cookie, naming the origin', async () => {
      for (const origin of [
        'https://evil.example',
        `${s.url}.evil.example`,
        'http://wall.example.cn',
        'null',
      ]) {
        const r = await handshake({ origin });
        expect(r.status, origin).toBe(400);
        expect(r.body, origin).toMatch(/origin .* is not allowed/);
      }
      const c = new RecordingClient(s.url, cookie, undefined, {
        headers: { origin: 'https://evil.example' },
      });
      await c.refused();
      expect(await handshake({ origin: s.url })).toEqual({ status: 101, body: '' });
    });
  });

  describe('since', () => {
    it('refuses a since that is not a seq, with an error naming since', async () => {
      for (const since of [
        -1,
        'abc',
        1.5,
        null,
        { $gt: 0 },
        [3],
        '7',
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ]) {
        const c = new RecordingClient(s.url, cookie, undefined, { auth: { since } });
        const err = await c.refused();
        expect(err.message, JSON.stringify(since)).toMatch(/^invalid since: /);
        expect(err.data).toMatchObject({ error: 'invalid_since' });
        c.close();
      }
    });

    it('takes an absent since (from now), zero, and a whole number', async () => {
      for (const auth of [{}, { since: 0 }, { since: 1 }]) {
        const c = new RecordingClient(s.url, cookie, undefined, { auth });
        await c.connected();
        c.close();
      }
    });
  });
});
