import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAll, until } from '../testing/command-helpers.ts';
import { postJson, startTestServer, type TestServer } from '../testing/harness.ts';

const alert = (snapshotUrl?: string) => ({
  cameraId: 'CAM-0001',
  type: 'smoke',
  confidence: 0.8,
  ...(snapshotUrl ? { snapshotUrl } : {}),
});

describe('snapshotUrl only to configured hosts', () => {
  let s: TestServer;
  let none: TestServer;
  beforeAll(async () => {
    [s, none] = await Promise.all([
      startTestServer({ env: { SNAPSHOT_HOSTS: 'nvr.example.cn,*.cams.example.cn' } }),
      startTestServer(),
    ]);
  });
  afterAll(async () => Promise.all([s?.close(), none?.close()]));

  it('refuses a host not listed and link-local addresses with 400 naming snapshotUrl, queueing nothing', async () => {
    const before = await s.container.queue.counts();
    for (const url of [
      'https://evil.example/x.jpg',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8080/x.jpg',
    ]) {
      const r = await postJson(`${s.url}/api/v1/video-alerts`, alert(url));
      expect(r.status, url).toBe(400);
      expect(r.body).toMatchObject({ error: 'invalid_request', issues: [{ path: 'snapshotUrl' }] });
    }
    // Every bad field at once.
    const both = await postJson(`${s.url}/api/v1/video-alerts`, {
      ...alert('https://evil.example/x.jpg'),
      cameraId: 'CAM-NOPE',
    });
    expect(both.body.issues.map((i: { path: string }) => i.path)).toEqual(['cameraId', 'snapshotUrl']);
    expect(await s.container.queue.counts()).toEqual(before);
  });

  it('accepts a listed host and a subdomain of a wildcard, and stores the URL', async () => {
    const as = await loginAll(s.url);
    const r = await postJson(`${s.url}/api/v1/video-alerts`, {
      ...alert('https://a.cams.example.cn/snap/1.jpg'),
      externalId: 'snap-ok-1',
    });
    expect(r.status).toBe(202);
    expect(
      (await postJson(`${s.url}/api/v1/video-alerts`, alert('https://nvr.example.cn/1.jpg'))).status,
    ).toBe(202);
    const stored = await until(async () => {
      const snap = (await as.duty.get('/api/v1/snapshot')).body;
      return snap.videoAlerts.find((a: { id: string }) => a.id === r.body.id);
    });
    expect(stored.snapshotUrl).toBe('https://a.cams.example.cn/snap/1.jpg');
  });

  it('refuses every snapshotUrl when SNAPSHOT_HOSTS is not set, and still takes alerts without one', async () => {
    const r = await postJson(`${none.url}/api/v1/video-alerts`, alert('https://nvr.example.cn/1.jpg'));
    expect(r.status).toBe(400);
    expect(r.body.issues).toEqual([
      { path: 'snapshotUrl', message: expect.stringMatching(/SNAPSHOT_HOSTS/) },
    ]);
    expect((await postJson(`${none.url}/api/v1/video-alerts`, alert())).status).toBe(202);
  });
});
