import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../shared/protocol.ts';
import { RecordingClient } from '../testing/live-client.ts';
import {
  login,
  postJson,
  startTestServer,
  waitForHead as waitForSeq,
  waitForPipelineIdle as waitForIdle,
  type TestServer,
} from '../testing/harness.ts';

const HAIDIAN = { lng: 116.3, lat: 39.96 };

function incident(i: number, extra: Record<string, unknown> = {}) {
  // Spread far apart and across categories that do not merge, so each is its own incident.
  return {
    source: 'hotline-12345',
    externalId: `spine-${i}`,
    kind: 'case',
    category: 'other',
    title: `测试工单 ${i}`,
    location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + Math.floor(i / 40) * 0.009 },
    ...extra,
  };
}

function assertContiguous(events: LiveEvent[], from: number, to: number) {
  const seqs = events.map((e) => e.seq);
  expect(seqs.length).toBe(to - from + 1);
  seqs.forEach((s, i) => expect(s).toBe(from + i));
}

describe('the live spine', () => {
  let s: TestServer;
  let cookie: string;
  beforeAll(async () => {
    s = await startTestServer();
    cookie = await login(s.url, 'duty');
  });
  afterAll(async () => s?.close());

  it('delivers 1,000 posted incidents exactly once, in order, without gaps; re-posting creates nothing', async () => {
    const client = new RecordingClient(s.url, cookie);
    await client.connected();
    const head = await s.container.store.headSeq();
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const res = await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          postJson(`${s.url}/api/v1/incidents`, incident(batch * 100 + j)),
        ),
      );
      for (const r of res) {
        expect(r.status).toBe(202);
        expect(r.body.status).toBe('queued');
        ids.push(r.body.id);
      }
    }
    await client.waitForSeq(head + 1000);
    const mine = client.events.filter((e) => e.seq > head);
    assertContiguous(mine, head + 1, head + 1000);
    expect(mine.every((e) => e.type === 'incident.created')).toBe(true);
    expect(new Set(mine.map((e) => e.data.id))).toEqual(new Set(ids));

    // Again with the same external ids: same ids back, and no new event at all.
    const again = await Promise.all(
      ids.slice(0, 200).map((_, i) => postJson(`${s.url}/api/v1/incidents`, incident(i))),
    );
    expect(again.map((r) => r.body.id)).toEqual(ids.slice(0, 200));
    await waitForIdle(s);
    expect(await s.container.store.headSeq()).toBe(head + 1000);
    client.close();
  });

  it('resumes a console that was away: all missed events once, then live ones', async () => {
    const a = new RecordingClient(s.url, cookie);
    await a.connected();
    const before = await s.container.store.headSeq();
    a.close();
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => postJson(`${s.url}/api/v1/incidents`, incident(5000 + i))),
    );
    await waitForSeq(s, before + 500);
    const b = new RecordingClient(s.url, cookie, before);
    await b.connected();
    await b.waitForSeq(before + 500);
    await postJson(`${s.url}/api/v1/incidents`, incident(9999));
    await b.waitForSeq(before + 501);
    assertContiguous(b.events, before + 1, before + 501);
    b.close();
  });

  it('serves a snapshot consistent with its seq', async () => {
    const snap = (await (await fetch(`${s.url}/api/v1/snapshot`, { headers: { cookie } })).json()) as {
      seq: number;
      incidents: { id: string }[];
      resources: unknown[];
      plans: unknown[];
      mode: { state: string };
    };
    const head = await s.container.store.headSeq();
    expect(snap.seq).toBe(head);
    const created = await s.container.store.readAfter(0, 100_000);
    const createdIds = new Set(created.filter((e) => e.type === 'incident.created').map((e) => e.data.id));
    expect(new Set(snap.incidents.map((i) => i.id))).toEqual(createdIds);
    expect(snap.resources.length).toBeGreaterThanOrEqual(50);
    expect(snap.plans.length).toBeGreaterThanOrEqual(5);
    expect(snap.mode.state).toBe('peacetime');
  });

  it('merges a second nearby report of the same category, and answers for the merged id', async () => {
    const head = await s.container.store.headSeq();
    const base = {
      source: 'grid-app',
      kind: 'emergency',
      category: 'gas_leak',
      title: '燃气味道',
      location: HAIDIAN,
    };
    const first = await postJson(`${s.url}/api/v1/incidents`, { ...base, externalId: 'merge-1' });
    await waitForSeq(s, head + 1);
    const second = await postJson(`${s.url}/api/v1/incidents`, {
      ...base,
      externalId: 'merge-2',
      location: { lng: HAIDIAN.lng + 0.001, lat: HAIDIAN.lat },
    });
    await waitForSeq(s, head + 2);
    const [created, updated] = await s.container.store.readAfter(head, 10);
    expect(created.type).toBe('incident.created');
    expect(updated.type).toBe('incident.updated');
    expect(updated.data.id).toBe(first.body.id);
    expect((updated.data as { mergedIds: string[]; reportCount: number }).mergedIds).toEqual([
      second.body.id,
    ]);
    expect((updated.data as { reportCount: number }).reportCount).toBe(2);
    const viaMerged = await (
      await fetch(`${s.url}/api/v1/incidents/${second.body.id}`, { headers: { cookie } })
    ).json();
    expect(viaMerged.id).toBe(first.body.id);
    expect(viaMerged.locationLabel).toContain('海淀区');
  });

  it('links a video alert near a matching open incident instead of opening a new one', async () => {
    const cameras = (await (await fetch(`${s.url}/api/v1/cameras`, { headers: { cookie } })).json()) as {
      id: string;
      location: { lng: number; lat: number };
    }[];
    const cam = cameras[7];
    const head = await s.container.store.headSeq();
    const inc = await postJson(`${s.url}/api/v1/incidents`, {
      source: 'hotline-12345',
      externalId: 'fire-near-cam',
      kind: 'emergency',
      category: 'fire',
      title: '商铺起火',
      location: cam.location,
      severity: 2,
    });
    await waitForSeq(s, head + 1);
    const va = await postJson(`${s.url}/api/v1/video-alerts`, {
      cameraId: cam.id,
      type: 'smoke',
      confidence: 0.9,
    });
    expect(va.status).toBe(202);
    await waitForSeq(s, head + 3);
    const evs = await s.container.store.readAfter(head + 1, 10);
    expect(evs.map((e) => e.type)).toEqual(['video_alert.created', 'incident.updated']);
    expect((evs[0].data as { incidentId: string }).incidentId).toBe(inc.body.id);
    expect((evs[1].data as { videoAlertIds: string[] }).videoAlertIds).toContain(va.body.id);
  });

  it('marks a point outside the district instead of refusing it', async () => {
    const head = await s.container.store.headSeq();
    const r = await postJson(`${s.url}/api/v1/incidents`, {
      ...incident(77777),
      location: { lng: 121.47, lat: 31.23 },
    });
    expect(r.status).toBe(202);
    await waitForSeq(s, head + 1);
    const [e] = await s.container.store.readAfter(head, 1);
    expect((e.data as { outsideDistrict: boolean }).outsideDistrict).toBe(true);
  });

  it('lists the latest events up to a seq, newest first, for a console that just loaded', async () => {
    const head = await s.container.store.headSeq();
    const res = await fetch(`${s.url}/api/v1/events/recent?upTo=${head - 2}&limit=5`, {
      headers: { cookie },
    });
    const { events } = (await res.json()) as { events: LiveEvent[] };
    expect(events.map((e) => e.seq)).toEqual([head - 2, head - 3, head - 4, head - 5, head - 6]);
    expect((await fetch(`${s.url}/api/v1/events/recent`)).status).toBe(401);
    const bad = await fetch(`${s.url}/api/v1/events/recent?limit=0`, { headers: { cookie } });
    expect(bad.status).toBe(400);
  });

  it('refuses a live connection without a session', async () => {
    const c = new RecordingClient(s.url, '');
    await expect(c.connected()).rejects.toThrow(/unauthorized/);
    c.close();
  });
});
