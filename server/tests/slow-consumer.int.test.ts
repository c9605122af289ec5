import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecordingClient } from '../testing/live-client.ts';
import { queuedBytes } from '../gateways/ws-internals.ts';
import { login, postAccepted, startTestServer, type TestServer } from '../testing/harness.ts';

const BOUND = 256 * 1024;

/**
 * A console that stops reading (a frozen browser tab, a dead link) must not make the server hold
 * its events without limit: once its real queued bytes pass the per-client bound it is dropped
 * (connection and queue gone, not left to the ping timeout), the others carry on, and when it
 * comes back from its stale `since` it is caught up to a complete feed.
 */
describe('a slow consumer', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { maxClientBuffer: BOUND } });
  });
  afterAll(async () => s?.close());

  /** A raw Socket.IO client over ws that joins /live, then stops reading from its socket. */
  async function frozenConsole(cookie: string, deflate: boolean) {
    const wsUrl = `${s.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(wsUrl, { headers: { cookie }, perMessageDeflate: deflate });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // engine.io open
    const joined = new Promise<string>((resolve) =>
      ws.on('message', (m: Buffer) => {
        const t = m.toString();
        if (t.startsWith('40/live,')) resolve((JSON.parse(t.slice(8)) as { sid: string }).sid);
      }),
    );
    ws.send('40/live,{}');
    const sid = await joined;
    // Stop reading for good: ws itself resumes a paused socket once its inflater drains.
    const tcp = (ws as unknown as { _socket: { pause(): void; resume(): unknown } })._socket;
    tcp.pause();
    tcp.resume = () => tcp;
    const server = s.live.gateway.io.of('/live').sockets.get(sid)!;
    expect(server, 'the server side of the frozen console').toBeDefined();
    const wsOnServer = (
      server.conn as unknown as { transport: { socket: { _socket: { destroyed: boolean } } } }
    ).transport.socket;
    return { ws, sid, conn: server.conn, tcp: wsOnServer._socket };
  }

  it('is dropped within a frame of its real queued bytes passing the bound, plain or deflating; back from its stale since it is complete', async () => {
    const cookie = await login(s.url, 'duty');
    const healthy = new RecordingClient(s.url, cookie);
    await healthy.connected();
    const head = await s.container.store.headSeq();
    const frozen = [await frozenConsole(cookie, false), await frozenConsole(cookie, true)];
    await expect.poll(() => s.live.fanOut.clientCount).toBe(3);

    // What each frozen console really has queued on the server, sampled while the burst runs.
    const peak = new Map(frozen.map((f) => [f.sid, 0]));
    const sample = () => {
      for (const f of frozen)
        if (!f.tcp.destroyed) peak.set(f.sid, Math.max(peak.get(f.sid)!, queuedBytes(f.conn)));
    };
    // Not tighter: this process also runs the healthy console, which must keep up.
    const sampler = setInterval(sample, 10);
    const drops = s.live.fanOut.recentDrops;

    // The kernel takes a few MB per socket before the server sees any backlog, so send well past
    // that: ~15 kB events of random characters, different in each event so that the deflated
    // frames stay large too (a text repeated across a frame deflates to almost nothing).
    const n = 1500;
    let x = 7;
    const text = () =>
      Array.from({ length: 4900 }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return String.fromCharCode(0x4e00 + (x % 0x5000));
      }).join('');
    try {
      for (let i = 0; i < n; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            postAccepted(`${s.url}/api/v1/incidents`, {
              source: 'slow-test',
              externalId: `slow-${i + j}`,
              kind: 'case',
              category: 'other',
              title: `慢客户端 ${i + j}`,
              description: text(),
              location: {
                lng: 116.1 + ((i + j) % 40) * 0.007,
                lat: 39.9 + (Math.floor((i + j) / 40) % 30) * 0.009,
              },
            }),
          ),
        );
      }
      await healthy.waitForSeq(head + n, 60_000);
      await expect.poll(() => frozen.every((f) => f.tcp.destroyed), { timeout: 20_000 }).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    expect(healthy.events.filter((e) => e.seq > head).map((e) => e.seq)).toEqual(
      Array.from({ length: n }, (_, i) => head + 1 + i),
    );

    // Dropped once past the bound, with at most one more frame queued: the bytes counted are real.
    expect(s.live.fanOut.stats.dropped).toBe(2);
    for (const f of frozen) {
      const d = drops.find((x) => x.id === f.sid);
      expect(d, `drop of ${f.sid}`).toBeDefined();
      expect(d!.buffered).toBeGreaterThan(BOUND);
      expect(d!.buffered).toBeLessThanOrEqual(BOUND + s.live.gateway.wire.maxFrameBytes + 16 * 1024);
      expect(peak.get(f.sid)).toBeLessThanOrEqual(BOUND + s.live.gateway.wire.maxFrameBytes + 16 * 1024);
    }
    // The connections are gone now (the queue with them), not at the ping timeout.
    expect(s.live.gateway.io.engine.clientsCount).toBe(1);
    expect(s.live.fanOut.clientCount).toBe(1);

    // The resync was lost with the queue; the console comes back from the last seq it applied.
    const back = new RecordingClient(s.url, cookie, head);
    await back.waitForSeq(head + n, 60_000);
    expect(back.events.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => head + 1 + i));
    expect(back.resyncs).toEqual([]);
    for (const f of frozen) f.ws.terminate();
    back.close();
    healthy.close();
  }, 150_000);
});
