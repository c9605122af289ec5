import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from '../testing/live-client.ts';
import {
  login,
  postJson,
  startTestRedis,
  startTestServer,
  waitForHead,
  type TestRedis,
  type TestServer,
} from '../testing/harness.ts';

const report = (i: number) => ({
  source: 'grid-app',
  externalId: `feed-${i}`,
  kind: 'case',
  category: 'other',
  title: `巡查上报 ${i}`,
  location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + (Math.floor(i / 40) % 30) * 0.009 },
});

describe('several server processes on one Redis', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    redis = await startTestRedis();
    a = await startTestServer({ redisUrl: redis.url, prefix: '{pzmulti}' });
    b = await startTestServer({ redisUrl: redis.url, prefix: '{pzmulti}' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('deliver the same ordered feed, whichever process took the report', async () => {
    const ca = new RecordingClient(a.url, await login(a.url, 'duty'));
    const cb = new RecordingClient(b.url, await login(b.url, 'commander'));
    await Promise.all([ca.connected(), cb.connected()]);
    const head = await a.container.store.headSeq();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => postJson(`${(i % 2 ? a : b).url}/api/v1/incidents`, report(i))),
    );
    await Promise.all([ca.waitForSeq(head + 200), cb.waitForSeq(head + 200)]);
    const seqs = (c: RecordingClient) => c.events.filter((e) => e.seq > head).map((e) => e.seq);
    expect(seqs(ca)).toEqual(Array.from({ length: 200 }, (_, i) => head + 1 + i));
    expect(seqs(cb)).toEqual(seqs(ca));
    ca.close();
    cb.close();
  });
});

describe('retention', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { eventRetention: 100 } });
  });
  afterAll(async () => s?.close());

  it('tells a console that resumes from before what is kept to resync', async () => {
    const cookie = await login(s.url, 'duty');
    // The seed's own events come first (mode and resources).
    const base = await s.container.store.headSeq();
    await Promise.all(
      Array.from({ length: 400 }, (_, i) => postJson(`${s.url}/api/v1/incidents`, report(i))),
    );
    await waitForHead(s, base + 400);
    expect(await s.container.store.oldestSeq()).toBeGreaterThan(2);
    const old = new RecordingClient(s.url, cookie, 1);
    await old.connected();
    await expect.poll(() => old.resyncs.length).toBe(1);
    expect(old.resyncs[0]).toMatchObject({ reason: 'retention', headSeq: base + 400 });
    expect(old.events).toEqual([]);
    old.close();

    // Within retention, it resumes normally.
    const recent = new RecordingClient(s.url, cookie, base + 390);
    await recent.waitForSeq(base + 400);
    expect(recent.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => base + 391 + i));
    recent.close();
  });

  it('tells a console from the future (a wiped store) to resync', async () => {
    const c = new RecordingClient(s.url, await login(s.url, 'duty'), 10_000_000);
    await c.connected();
    await expect.poll(() => c.resyncs.length).toBe(1);
    c.close();
  });
});
