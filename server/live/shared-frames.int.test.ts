import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from '../testing/live-client.ts';
import { login, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * Broadcast frames are encoded and deflated once for all consoles (gateways/ws-frames.ts). A
 * console that negotiated permessage-deflate and one that refused it must see the same feed.
 */
describe('the shared broadcast frame', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  it('reaches deflating and plain consoles alike, in order, each event once', async () => {
    const cookie = await login(s.url, 'duty');
    const deflating = new RecordingClient(s.url, cookie);
    const plain = new RecordingClient(s.url, cookie, undefined, { deflate: false });
    await Promise.all([deflating.connected(), plain.connected()]);
    const before = { ...s.live.gateway.wire };
    const head = await s.container.store.headSeq();
    const n = 400;
    for (let i = 0; i < n; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          postJson(`${s.url}/api/v1/incidents`, {
            source: 'grid-app',
            externalId: `frame-${i + j}`,
            kind: 'case',
            category: 'environment',
            title: `暴露垃圾 ${i + j}`,
            description: `网格员巡查发现，需环卫部门清运。编号 ${i + j}`,
            location: {
              lng: 116.1 + ((i + j) % 40) * 0.007,
              lat: 39.9 + (Math.floor((i + j) / 40) % 30) * 0.009,
            },
          }),
        ),
      );
    await Promise.all([deflating.waitForSeq(head + n), plain.waitForSeq(head + n)]);
    const after = (c: RecordingClient) => c.events.filter((e) => e.seq > head);
    expect(after(deflating).map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => head + 1 + i));
    expect(after(plain)).toEqual(after(deflating));

    const w = s.live.gateway.wire;
    expect(w.frames).toBeGreaterThan(before.frames);
    // Both kinds of socket were written the shared frame (not only catch-up sends of their own).
    expect(w.deflateSockets).toBeGreaterThan(before.deflateSockets);
    expect(w.plainSockets).toBeGreaterThan(before.plainSockets);
    expect(w.deflatedBytes - before.deflatedBytes).toBeLessThan((w.bytes - before.bytes) / 2);
    deflating.close();
    plain.close();
  });
});
