import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_KEY, postJson, startTestServer, type TestServer } from '../testing/harness.ts';

const good = {
  source: 'hotline-12345',
  kind: 'case',
  category: 'traffic',
  title: '路口信号灯故障',
  location: { lng: 116.31, lat: 39.98 },
};

describe('intake refuses bad input and changes nothing', () => {
  let s: TestServer;
  let url: string;
  beforeAll(async () => {
    s = await startTestServer();
    url = `${s.url}/api/v1/incidents`;
  });
  afterAll(async () => s?.close());

  async function nothingWritten<T>(fn: () => Promise<T>): Promise<T> {
    const seq = await s.container.store.headSeq();
    const jobs = await s.container.queue.counts();
    const out = await fn();
    expect(await s.container.store.headSeq()).toBe(seq);
    expect(await s.container.queue.counts()).toEqual(jobs);
    return out;
  }

  const cases: [string, unknown, number, RegExp][] = [
    ['malformed JSON', '{"source": "x", ', 400, /^body$/],
    ['wrong types', { ...good, title: 42, severity: 'high' }, 400, /title|severity/],
    ['out-of-range coordinates', { ...good, location: { lng: 200, lat: -95 } }, 400, /location\.(lng|lat)/],
    ['an unknown category', { ...good, category: 'alien_invasion' }, 400, /^category$/],
    ['a missing field', { ...good, title: undefined }, 400, /^title$/],
    ['an unknown field', { ...good, priority: 'urgent' }, 400, /priority/],
  ];
  for (const [name, body, status, path] of cases) {
    it(`answers ${status} to ${name}, naming the field`, async () => {
      const r = await nothingWritten(() => postJson(url, body));
      expect(r.status).toBe(status);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.issues.some((i: { path: string }) => path.test(i.path))).toBe(true);
    });
  }

  it('names every bad field at once', async () => {
    const r = await postJson(url, { ...good, category: 'x', location: { lng: 500, lat: 0 }, severity: 9 });
    const paths = r.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['category', 'location.lng', 'severity']));
  });

  it('answers 413 to a 5 MB body', async () => {
    const big = JSON.stringify({ ...good, description: 'x'.repeat(5 * 1024 * 1024) });
    const r = await nothingWritten(() => postJson(url, big));
    expect(r.status).toBe(413);
    expect(r.body.error).toBe('payload_too_large');
  });

  it('answers 401 without credentials and to an unknown key', async () => {
    expect((await postJson(url, good, {})).status).toBe(401);
    expect((await postJson(url, good, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('refuses a video alert from an unknown camera, naming cameraId', async () => {
    const r = await nothingWritten(() =>
      postJson(`${s.url}/api/v1/video-alerts`, { cameraId: 'CAM-NOPE', type: 'fire', confidence: 0.5 }),
    );
    expect(r.status).toBe(400);
    expect(r.body.issues[0].path).toBe('cameraId');
  });

  it('refuses a video alert with confidence out of range and a bad type', async () => {
    const r = await postJson(`${s.url}/api/v1/video-alerts`, {
      cameraId: 'CAM-0001',
      type: 'ufo',
      confidence: 1.5,
    });
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['type', 'confidence']),
    );
  });

  it('an intake key may not call anything but intake', async () => {
    const res = await fetch(`${s.url}/api/v1/snapshot`, {
      headers: { authorization: `Bearer ${INTAKE_KEY}` },
    });
    expect(res.status).toBe(403);
  });

  it('healthz answers ok while Redis answers', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    // The contract's `{status: "ok"}`, plus how far the history store is behind.
    expect(await res.json()).toMatchObject({ status: 'ok', history: { healthy: true } });
  });
});

describe('back-pressure and rate limits', () => {
  it('answers 429 with Retry-After when one key sends too fast, and 503 when the pipeline is full', async () => {
    const s = await startTestServer({ config: { intakeRate: 5, workerConcurrency: 0, queueHighWater: 8 } });
    try {
      const url = `${s.url}/api/v1/incidents`;
      const res = await Promise.all(
        Array.from({ length: 20 }, (_, i) => postJson(url, { ...good, externalId: `rl-${i}` })),
      );
      const limited = res.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
      // No worker runs, so the queue fills: past the high-water mark intake says 503.
      let last = 0;
      for (let i = 0; i < 40 && last !== 503; i++) {
        const r = await postJson(
          url,
          { ...good, externalId: `bp-${i}` },
          { authorization: 'Bearer demo-intake-key', 'x-forwarded-for': String(i) },
        );
        last = r.status;
        if (r.status === 429)
          await new Promise((ok) => setTimeout(ok, Number(r.headers.get('retry-after')) * 1000));
      }
      expect(last).toBe(503);
    } finally {
      await s.close();
    }
  });
});
