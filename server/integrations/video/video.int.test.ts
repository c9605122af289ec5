import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraState } from '../../../shared/camera.ts';
import type { LiveEvent } from '../../../shared/protocol.ts';
import type { VideoAlert } from '../../../shared/video-alert.ts';
import { apiAs, until, type Api } from '../../testing/command-helpers.ts';
import {
  INTAKE_KEY,
  login,
  startTestServer,
  waitForPipelineIdle,
  type TestServer,
} from '../../testing/harness.ts';
import { RecordingClient } from '../../testing/live-client.ts';
import { fixture, frigateMessage, hikvisionMultipart, TINY_JPEG } from './fixtures/variants.ts';

/**
 * The video adapters over HTTP on the published fixtures, to the live feed (a real socket): the
 * demo cameras' links (server/cameras/demo-links.ts) name the fixtures' devices.
 */
describe('video platforms end to end', () => {
  let s: TestServer;
  let feed: RecordingClient;
  let duty: Api;
  let admin: Api;

  const post = async (vendor: string, body: string | Uint8Array, type: string, key = INTAKE_KEY) => {
    const r = await fetch(`${s.url}/api/v1/integrations/${vendor}`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${key}` },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const alertsOn = (cameraId: string) =>
    feed.events.filter(
      (e): e is Extract<LiveEvent, { type: 'video_alert.created' }> =>
        e.type === 'video_alert.created' && e.data.cameraId === cameraId,
    );
  const cameraEvents = (cameraId: string) =>
    feed.events.filter(
      (e): e is Extract<LiveEvent, { type: 'camera.updated' }> =>
        e.type === 'camera.updated' && e.data.id === cameraId,
    );
  /** What a request wrote: events other than the silence sweep's, and the cameras' "last heard". */
  const written = async (since: number) => ({
    events: (await s.container.store.readAfter(since, 1000)).filter(
      (e) => !(e.type === 'camera.updated' && e.actor === 'system:cameras' && e.data.status === 'offline'),
    ),
    heard: await s.container.redis.hgetall(s.container.keys.cameraHeard),
  });

  beforeAll(async () => {
    // Cameras go offline after 2 s of silence here (the sweep runs every 500 ms).
    s = await startTestServer({ env: { CAMERA_SILENCE_S: '2' } });
    duty = apiAs(s.url, await login(s.url, 'duty'));
    admin = apiAs(s.url, await login(s.url, 'admin'));
    feed = new RecordingClient(s.url, duty.cookie, await s.container.store.headSeq());
    await feed.connected();
  });
  afterAll(async () => {
    feed?.close();
    await s?.close();
  });

  it('cameras are state: seeded once with their demo links, in the snapshot and GET /api/v1/cameras', async () => {
    const cams = (await duty.get('/api/v1/cameras')).body as CameraState[];
    expect(cams.length).toBe(s.container.cameras.length);
    expect(cams.find((c) => c.id === 'CAM-0005')?.links).toEqual({ frigate: { camera: 'front_door' } });
    const snap = (await duty.get('/api/v1/snapshot')).body;
    expect(snap.cameras.length).toBe(cams.length);
    // Seeding again (a restart) writes nothing.
    const head = await s.container.store.headSeq();
    expect(await s.container.cameraState.seed()).toBe(0);
    expect(await s.container.store.headSeq()).toBe(head);
  });

  it('Hikvision XML: one alert on the right camera; the repeat every second raises none', async () => {
    const xml = fixture('moonfire-vmd-std-cgi.xml');
    const first = await post('hikvision', xml, 'application/xml');
    expect(first.status).toBe(202);
    expect(first.body.alerts).toHaveLength(1);
    expect(first.body.cameras).toEqual(['CAM-0003']);
    for (let i = 0; i < 3; i++) {
      const again = await post('hikvision', xml, 'application/xml');
      expect(again.status).toBe(202);
      expect(again.body.alerts).toEqual([]);
    }
    await until(async () => alertsOn('CAM-0003').length > 0);
    await waitForPipelineIdle(s);
    expect(alertsOn('CAM-0003')).toHaveLength(1);
    expect(alertsOn('CAM-0003')[0].data.type).toBe('intrusion');
    await until(async () => cameraEvents('CAM-0003').some((e) => e.data.status === 'online'));
  });

  it('Hikvision multipart: the image part is kept and served to operators as the snapshot', async () => {
    const { body, contentType } = hikvisionMultipart('hikvision-next-fielddetection_human.xml');
    const r = await post('hikvision', body, contentType);
    expect(r.status).toBe(202);
    expect(r.body.alerts).toHaveLength(1);
    const [created] = await until(async () => {
      const a = alertsOn('CAM-0002');
      return a.length ? a : null;
    });
    const alert = created.data as VideoAlert;
    expect(alert.snapshotUrl).toMatch(/^\/api\/v1\/video-snapshots\/[0-9a-f]{64}$/);
    const img = await fetch(s.url + alert.snapshotUrl!, { headers: { cookie: duty.cookie } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(TINY_JPEG);
    // An integration's key posts; it does not read operators' images.
    const key = await fetch(s.url + alert.snapshotUrl!, {
      headers: { authorization: `Bearer ${INTAKE_KEY}` },
    });
    expect(key.status).toBe(403);
    expect((await duty.get(`/api/v1/video-snapshots/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('ONVIF: Initialized raises nothing; Changed is one alert, its repeat none', async () => {
    const init = await post('onvif', fixture('axis-pir-init.xml'), 'application/xml');
    expect(init.status).toBe(202);
    expect(init.body.alerts).toEqual([]);
    const change = await post('onvif', fixture('axis-pir-change.xml'), 'application/soap+xml');
    expect(change.status).toBe(202);
    expect(change.body.alerts).toHaveLength(1);
    const again = await post('onvif', fixture('axis-pir-change.xml'), 'application/xml');
    expect(again.body.alerts).toEqual([]);
    await until(async () => alertsOn('CAM-0004').length > 0);
    await waitForPipelineIdle(s);
    expect(alertsOn('CAM-0004')).toHaveLength(1);
  });

  it('Frigate: new, updates and the review of the same detection are one alert', async () => {
    const json = (v: unknown) => JSON.stringify(v);
    expect(
      (await post('frigate', json(frigateMessage('events', 'new')), 'application/json')).body.alerts,
    ).toHaveLength(1);
    expect(
      (await post('frigate', json(frigateMessage('events', 'update')), 'application/json')).body.alerts,
    ).toEqual([]);
    // The documented review is of another camera (front_cam): the same detection's review is
    // that message on front_door.
    const review = frigateMessage('reviews', 'new');
    (review.after as Record<string, unknown>).camera = 'front_door';
    expect((await post('frigate', json(review), 'application/json')).body.alerts).toEqual([]);
    // And the same review as published, through the function the MQTT subscription calls.
    const viaMqtt = await s.container.video.frigate(
      Buffer.from(json(frigateMessage('reviews', 'new'))),
      'key:mqtt',
      'frigate/reviews',
    );
    expect(viaMqtt.cameras).toEqual(['CAM-0006']);
    expect(viaMqtt.alerts).toHaveLength(1);
    await until(async () => alertsOn('CAM-0005').length > 0 && alertsOn('CAM-0006').length > 0);
    await waitForPipelineIdle(s);
    expect(alertsOn('CAM-0005')).toHaveLength(1);
    expect(alertsOn('CAM-0006')).toHaveLength(1);
  });

  it('an unknown device is 422 unknown_camera and writes nothing', async () => {
    const since = await s.container.store.headSeq();
    const before = await written(since);
    const r = await post(
      'hikvision',
      fixture('hikvision-next-cam1_DS-2CD2T46G2-ISU_io_notification.xml'),
      'text/xml',
    );
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('unknown_camera');
    expect(r.body.message).toContain('192.168.1.151');
    const f = frigateMessage('events', 'new');
    (f.after as Record<string, unknown>).camera = 'back_yard';
    expect((await post('frigate', JSON.stringify(f), 'application/json')).status).toBe(422);
    await waitForPipelineIdle(s);
    expect(await written(since)).toEqual({ events: [], heard: before.heard });
  });

  it('bad bodies: 400 naming the problem, 415 for a wrong type, never 5xx', async () => {
    const bad = await post('hikvision', '<EventNotificationAlert><eventType>VMD', 'application/xml');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.issues.length).toBeGreaterThan(0);
    const jsonc = await post('frigate', fixture('frigate-docs-events-update.jsonc.txt'), 'application/json');
    expect(jsonc.status).toBe(400);
    expect(jsonc.body.issues[0].message).toMatch(/not JSON/);
    expect((await post('hikvision', '{}', 'application/json')).status).toBe(415);
    expect((await post('frigate', '{}', 'text/plain')).status).toBe(415);
    expect((await post('onvif', '', 'application/xml')).status).toBe(400);
    expect((await post('onvif', fixture('axis-pir-change.xml'), 'application/xml', 'wrong-key')).status).toBe(
      401,
    );
  });

  it('PATCH links: admin 200 (then the device finds its camera), duty 403, bad body 400, 404, 409 naming the camera', async () => {
    const link = { links: { hikvision: { ipAddress: '192.168.1.151', channelID: '1' } } };
    const ok = await admin.patch('/api/v1/cameras/CAM-0010', link);
    expect(ok.status).toBe(200);
    expect(ok.body.links).toEqual(link.links);
    await until(async () =>
      cameraEvents('CAM-0010').some((e) => e.data.links.hikvision?.ipAddress === '192.168.1.151'),
    );
    const io = await post(
      'hikvision',
      fixture('hikvision-next-cam1_DS-2CD2T46G2-ISU_io_notification.xml'),
      'text/xml',
    );
    expect(io.status).toBe(202);
    expect(io.body.cameras).toEqual(['CAM-0010']);
    expect((await duty.patch('/api/v1/cameras/CAM-0010', link)).status).toBe(403);
    const bad = await admin.patch('/api/v1/cameras/CAM-0010', { links: { hikvision: { ip: 'x' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).join(' ')).toContain('links.hikvision');
    expect((await admin.patch('/api/v1/cameras/CAM-9999', link)).status).toBe(404);
    const clash = await admin.patch('/api/v1/cameras/CAM-0011', link);
    expect(clash.status).toBe(409);
    expect(clash.body.message).toContain('CAM-0010');
  });

  it('a heartbeat marks the camera online; silence marks it offline (camera.updated on the feed)', async () => {
    const r = await post('hikvision', fixture('moonfire-videoloss-heartbeat.xml'), 'application/xml');
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ alerts: [], cameras: ['CAM-0001'] });
    const online = await until(async () => cameraEvents('CAM-0001').find((e) => e.data.status === 'online'));
    // A heartbeat while online writes no event.
    const n = cameraEvents('CAM-0001').length;
    await post('hikvision', fixture('moonfire-videoloss-heartbeat.xml'), 'application/xml');
    const offline = await until(
      async () => cameraEvents('CAM-0001').find((e) => e.seq > online.seq && e.data.status === 'offline'),
      20_000,
    );
    expect(cameraEvents('CAM-0001').indexOf(offline)).toBe(n);
    const cams = (await duty.get('/api/v1/cameras')).body as CameraState[];
    expect(cams.find((c) => c.id === 'CAM-0001')?.status).toBe('offline');
  });
});
