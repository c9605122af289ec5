import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RecordingClient } from '../testing/live-client.ts';
import { login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * A console that stops reading (a frozen browser tab, a dead link) must not make the server hold
 * its events without limit: past the per-client bound it is dropped, and the others carry on.
 */
describe('a slow consumer', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { maxClientBuffer: 256 * 1024 } });
  });
  afterAll(async () => s?.close());

  it('is dropped once its unsent bytes pass the bound, while a healthy console gets everything', async () => {
    const cookie = await login(s.url, 'duty');
    const healthy = new RecordingClient(s.url, cookie);
    await healthy.connected();

    // A raw Socket.IO client over ws that joins /live and then stops reading from its socket.
    const wsUrl = `${s.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
    // Without permessage-deflate: it gets the plain frames, the most bytes per event.
    const frozen = new WebSocket(wsUrl, { headers: { cookie }, perMessageDeflate: false });
    let closed = false;
    frozen.on('close', () => (closed = true));
    frozen.on('error', () => undefined);
    await new Promise<void>((resolve) => frozen.once('message', () => resolve())); // engine.io open
    frozen.send('40/live,{}');
    await expect.poll(() => s.live.fanOut.clientCount).toBe(2);
    (frozen as unknown as { _socket: { pause(): void } })._socket.pause();

    const head = await s.container.store.headSeq();
    // Loopback sockets buffer tens of MB in the kernel (tcp_rmem up to 32 MB here) before the
    // server sees any backlog, so send well past that.
    const n = 3500;
    // ~15 kB events fill the buffers sooner; random characters, so that they stay large for the
    // healthy console too, which takes the deflated frames.
    let x = 7;
    const long = Array.from({ length: 4900 }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return String.fromCharCode(0x4e00 + (x % 0x5000));
    }).join('');
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          postJson(`${s.url}/api/v1/incidents`, {
            source: 'slow-test',
            externalId: `slow-${i + j}`,
            kind: 'case',
            category: 'other',
            title: `慢客户端 ${i + j}`,
            description: long,
            location: {
              lng: 116.1 + ((i + j) % 40) * 0.007,
              lat: 39.9 + (Math.floor((i + j) / 40) % 30) * 0.009,
            },
          }),
        ),
      );
    }
    await healthy.waitForSeq(head + n, 60_000);
    expect(healthy.events.filter((e) => e.seq > head).map((e) => e.seq)).toEqual(
      Array.from({ length: n }, (_, i) => head + 1 + i),
    );
    await expect.poll(() => s.live.fanOut.stats.dropped, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(s.live.fanOut.clientCount).toBe(1);
    (frozen as unknown as { _socket: { resume(): void } })._socket.resume();
    await expect.poll(() => closed, { timeout: 20_000 }).toBe(true);
    healthy.close();
  });
});
