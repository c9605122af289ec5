/**
 * Scoped consoles (a street sub-centre, a department) see the cameras on their map, where they
 * stand and whether they report, but never their device links: not in the snapshot, not in
 * `GET /api/v1/cameras`, not in `camera.updated` on their feed. The centre's operators see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/common.ts';
import type { LiveEvent, Snapshot } from '../../shared/protocol.ts';
import type { CameraState } from '../../shared/camera.ts';
import { loginAll, until, type Api } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';

describe('camera links are the centre’s, not the scoped consoles’', () => {
  let s: TestServer;
  let as: Record<Role, Api>;
  const feeds: Partial<Record<Role, RecordingClient>> = {};
  beforeAll(async () => {
    s = await startTestServer();
    as = (await loginAll(s.url)) as Record<Role, Api>;
    const head = await s.container.store.headSeq();
    for (const r of ['duty', 'subcentre', 'department'] as const) {
      feeds[r] = new RecordingClient(s.url, as[r].cookie, head);
      await feeds[r].connected();
    }
  });
  afterAll(async () => {
    for (const f of Object.values(feeds)) f?.close();
    await s?.close();
  });

  it('strips links from the snapshot, the camera list and the feed for scoped roles only', async () => {
    const links = { hikvision: { ipAddress: '10.20.30.40', channelID: '2' } };
    expect((await as.admin.patch('/api/v1/cameras/CAM-0012', { links })).status).toBe(200);
    const updated = (r: Role) =>
      until(async () =>
        feeds[r]!.events.find(
          (e): e is Extract<LiveEvent, { type: 'camera.updated' }> =>
            e.type === 'camera.updated' && e.data.id === 'CAM-0012',
        ),
      );
    expect((await updated('duty')).data.links).toEqual(links);
    for (const r of ['subcentre', 'department'] as const) {
      const ev = await updated(r);
      expect(ev.data.links).toEqual({});
      expect(ev.data.name).toBeTruthy();
    }

    const cam = (list: CameraState[]) => list.find((c) => c.id === 'CAM-0012')!;
    for (const r of ['duty', 'commander', 'liaison', 'admin'] as const) {
      expect(cam((await as[r].get('/api/v1/cameras')).body).links).toEqual(links);
      expect(cam(((await as[r].get('/api/v1/snapshot')).body as Snapshot).cameras).links).toEqual(links);
    }
    for (const r of ['subcentre', 'department'] as const) {
      const list = (await as[r].get('/api/v1/cameras')).body as CameraState[];
      expect(list.length).toBeGreaterThan(0);
      expect(list.every((c) => Object.keys(c.links).length === 0)).toBe(true);
      const snap = (await as[r].get('/api/v1/snapshot')).body as Snapshot;
      expect(snap.cameras.length).toBe(list.length);
      expect(snap.cameras.every((c) => Object.keys(c.links).length === 0)).toBe(true);
    }
  });
});
