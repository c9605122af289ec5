import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAll, reportIncident, until } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * A job that can never succeed used to be retried eight times over half a minute and then vanish
 * from sight. Now it fails at once, stays in BullMQ's failed set, and operators can see it.
 */
let srv: TestServer;
let as: Awaited<ReturnType<typeof loginAll>>;

beforeAll(async () => {
  srv = await startTestServer();
  as = await loginAll(srv.url);
});
afterAll(async () => srv?.close());

const receivedAt = () => new Date().toISOString();

describe('jobs that can never succeed', () => {
  it('fail on their first attempt, change nothing, and are listed for admin and commander', async () => {
    const head = await srv.container.store.headSeq();
    // As an older version would have queued them: text the schema now refuses, a camera that is gone.
    const poisonId = 'INC-poison-legacy-1';
    await srv.container.queue.add(
      'intake.incident',
      {
        id: poisonId,
        actor: 'intake:legacy',
        receivedAt: receivedAt(),
        input: {
          source: 'hotline',
          kind: 'case',
          category: 'fire',
          title: '火\ud800灾 <img src=x onerror=alert(1)>',
          location: { lng: 116.31, lat: 39.98 },
        },
      },
      poisonId,
    );
    const cameraId = 'VA-gone-camera-1';
    await srv.container.queue.add(
      'intake.video_alert',
      {
        id: cameraId,
        actor: 'intake:legacy',
        receivedAt: receivedAt(),
        input: { cameraId: 'CAM-REMOVED', type: 'fire', confidence: 0.9 },
      },
      cameraId,
    );

    const status = await until(async () => {
      const r = await as.commander.get('/api/v1/status');
      return r.body.failedJobs === 2 ? r.body : null;
    });
    expect(status.pipeline.failed).toBe(2);

    const list = await as.admin.get('/api/v1/failed-jobs');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    const byId = Object.fromEntries(list.body.jobs.map((j: { id: string }) => [j.id, j]));
    expect(byId[poisonId]).toMatchObject({
      name: 'intake.incident',
      attempts: 1,
      reason: expect.stringMatching(/input\.title: ill-formed/),
      failedAt: expect.any(String),
    });
    // The payload comes back as data (JSON), exactly as sent, for the console to show as text.
    expect(byId[poisonId].payload.input.title).toBe('火\ud800灾 <img src=x onerror=alert(1)>');
    expect(byId[cameraId]).toMatchObject({
      name: 'intake.video_alert',
      attempts: 1,
      reason: expect.stringContaining('CAM-REMOVED'),
    });
    expect((await as.commander.get('/api/v1/failed-jobs?limit=1')).body.jobs).toHaveLength(1);
    expect(await srv.container.store.headSeq()).toBe(head);
  });

  it('refuses other roles and a bad limit', async () => {
    expect((await as.duty.get('/api/v1/failed-jobs')).status).toBe(403);
    expect((await as.liaison.get('/api/v1/failed-jobs')).status).toBe(403);
    const bad = await as.admin.get('/api/v1/failed-jobs?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toMatch(/limit/);
  });

  it('does not hold up the jobs behind them', async () => {
    const inc = await reportIncident(srv.url, as.commander, { category: 'traffic' });
    expect(inc.status).toBe('accepted');
  });
});
