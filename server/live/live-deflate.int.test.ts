import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from '../testing/live-client.ts';
import { deflateParams } from './ws-internals.ts';
import { login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * The shared broadcast frame is deflated once with a 15-bit window and no context. A console that
 * negotiated a smaller server window (RFC 7692 §7.1.2.1 allows 8–15; ws accepts it) cannot inflate
 * it: it must get the plain frame, and every console must see every event once, in order.
 */
describe('deflate windows', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  it('every console gets the whole feed in order, whatever server window it negotiated', async () => {
    const cookie = await login(s.url, 'duty');
    const clients = new Map<string, RecordingClient>();
    for (let bits = 9; bits <= 15; bits++)
      clients.set(
        `window ${bits}`,
        new RecordingClient(s.url, cookie, undefined, { perMessageDeflate: { serverMaxWindowBits: bits } }),
      );
    clients.set('window not asked', new RecordingClient(s.url, cookie));
    clients.set('no deflate', new RecordingClient(s.url, cookie, undefined, { deflate: false }));
    await Promise.all([...clients.values()].map((c) => c.connected()));

    // The server really negotiated what each asked for.
    const negotiated = new Map<string, number | null | undefined>();
    for (const sock of s.live.gateway.io.of('/live').sockets.values()) {
      const p = deflateParams(sock.conn);
      negotiated.set(sock.id, p === null ? null : p.server_max_window_bits);
    }
    for (const [name, c] of clients) {
      const want =
        name === 'no deflate' ? null : name === 'window not asked' ? undefined : Number(name.slice(7));
      expect(negotiated.get(c.socket.id ?? ''), name).toBe(want);
    }

    const before = { ...s.live.gateway.wire };
    const head = await s.container.store.headSeq();
    const n = 300;
    // Long repeated text: back-references reach further than a 9-bit (512-byte) window.
    const description = '网格员巡查发现，需环卫部门清运。'.repeat(30);
    for (let i = 0; i < n; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          postJson(`${s.url}/api/v1/incidents`, {
            source: 'grid-app',
            externalId: `window-${i + j}`,
            kind: 'case',
            category: 'environment',
            title: `暴露垃圾 ${i + j}`,
            description: `${description} ${i + j}`,
            location: {
              lng: 116.1 + ((i + j) % 40) * 0.007,
              lat: 39.9 + (Math.floor((i + j) / 40) % 30) * 0.009,
            },
          }),
        ),
      );
    await Promise.all([...clients.values()].map((c) => c.waitForSeq(head + n)));
    const want = Array.from({ length: n }, (_, i) => head + 1 + i);
    for (const [name, c] of clients) {
      expect(
        c.events.filter((e) => e.seq > head).map((e) => e.seq),
        name,
      ).toEqual(want);
      expect(c.disconnects, name).toEqual([]);
    }
    const w = s.live.gateway.wire;
    // The shared frames went out both ways: deflated to the 15-bit sockets, plain to the rest.
    expect(w.deflateSockets).toBeGreaterThan(before.deflateSockets);
    expect(w.plainSockets).toBeGreaterThan(before.plainSockets);
    for (const c of clients.values()) c.close();
  });
});
