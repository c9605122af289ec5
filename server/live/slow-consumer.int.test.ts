import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mulberry32 } from '../../shared/random.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { queuedBytes } from './ws-internals.ts';
import { login, postAccepted, startTestServer, type TestServer } from '../testing/harness.ts';

const BOUND = 256 * 1024;

/**
 * A console that stops reading (a frozen browser tab, a dead link) must not make the server hold
 * its events without limit: once its real queued bytes pass the per-client bound it is dropped
 * (connection and queue gone, not left to the ping timeout), the others carry on, and when it
 * comes back from its stale `since` it is caught up to a complete feed.
 */
/**
 * A reading console as the real one behaves: when the server drops it, it reconnects from the
 * last seq it applied (socket.io does not reconnect by itself after a server-side disconnect).
 */
class ResumingConsole {
  current: RecordingClient;
  resumes = 0;
  private done: RecordingClient[] = [];
  private closed = false;
  constructor(
    private readonly url: string,
    private readonly cookie: string,
  ) {
    this.current = this.open(undefined);
  }
  private open(since: number | undefined): RecordingClient {
    const c = new RecordingClient(this.url, this.cookie, since);
    c.socket.on('disconnect', () => {
      if (this.closed) return;
      this.resumes++;
      this.done.push(c);
      this.current = this.open(this.lastSeq());
    });
    return c;
  }
  private all(): RecordingClient[] {
    return [...this.done, this.current];
  }
  lastSeq(): number {
    return Math.max(0, ...this.all().map((c) => c.lastSeq));
  }
  seqs(): number[] {
    return this.all().flatMap((c) => c.events.map((e) => e.seq));
  }
  async waitForSeq(seq: number, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.lastSeq() < seq) {
      if (Date.now() > end) throw new Error(`timed out waiting for seq ${seq}; at ${this.lastSeq()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.closed = true;
    this.current.close();
  }
}

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
    const healthy = new ResumingConsole(s.url, cookie);
    await healthy.current.connected();
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
    const rand = mulberry32(7);
    const text = () =>
      Array.from({ length: 4900 }, () => String.fromCharCode(0x4e00 + Math.floor(rand() * 0x5000))).join('');
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
      await healthy.waitForSeq(head + n, 90_000);
      await expect.poll(() => frozen.every((f) => f.tcp.destroyed), { timeout: 20_000 }).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    expect(healthy.seqs().filter((q) => q > head)).toEqual(Array.from({ length: n }, (_, i) => head + 1 + i));

    // Dropped once past the bound, with at most one more frame queued: the bytes counted are real.
    // (A reading console starved of CPU on a loaded machine may be dropped too: then it resumes
    // from its since, as the console does, and must still end complete — checked above.)
    expect(s.live.fanOut.stats.dropped).toBe(2 + healthy.resumes);
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
  }, 180_000);
});
