import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../../shared/common.ts';
import { createContainer, type Container } from '../container.ts';
import { startArchiveWorker } from './archive-schedule.ts';
import { loginAll, until, type Api } from '../testing/command-helpers.ts';
import { postAccepted, startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { caseReport } from '../testing/postgres.ts';

/**
 * Two workers (the server's own and a second one with its own container and connections, on the
 * same Redis, queue and database) take the scheduled sweeps, and more sweeps run at once by hand
 * while cases close: every case is archived, each exactly once.
 */
describe('the archive sweep with several workers', () => {
  let s: TestServer;
  let c2: Container;
  let w2: Worker;
  let as: Record<OperatorRole, Api>;
  let feed: RecordingClient;
  let sweepsOn2 = 0;
  beforeAll(async () => {
    s = await startTestServer({ env: { ARCHIVE_AFTER_MS: '0', ARCHIVE_EVERY_MS: '100' } });
    c2 = await createContainer(s.config, s.container.redisUrl, {
      databaseUrl: s.config.databaseUrl!,
      projector: false,
    });
    w2 = startArchiveWorker(s.container.redisUrl, c2.keys.bullPrefix, c2.registry);
    w2.on('completed', (job) => {
      if (job.name === 'archive.sweep') sweepsOn2++;
    });
    as = await loginAll(s.url);
    feed = new RecordingClient(s.url, as.duty.cookie, await s.container.store.headSeq());
    await feed.connected();
  });
  afterAll(async () => {
    feed?.close();
    await w2?.close();
    await c2?.close();
    await s?.close();
  });

  it('archives every closed case once', async () => {
    const N = 60;
    const ids = await Promise.all(
      Array.from(
        { length: N },
        async (_, i) =>
          (await postAccepted(`${s.url}/api/v1/incidents`, caseReport('wk', i))).body.id as string,
      ),
    );
    await waitForPipelineIdle(s);
    await until(async () =>
      (await Promise.all(ids.map((id) => s.container.state.getIncident(id)))).every(Boolean),
    );
    const closing = Promise.all(
      ids.map((id) => as.commander.patch(`/api/v1/incidents/${id}`, { status: 'closed' })),
    );
    // Sweeps by hand from both containers at once, beside the scheduled ones.
    const results = [];
    for (let round = 0; round < 5; round++)
      results.push(
        ...(await Promise.all([s.container.archive.sweep(), c2.archive.sweep(), c2.archive.sweep()])),
      );
    expect((await closing).every((r) => r.status === 200)).toBe(true);

    const archived = () =>
      feed.events
        .filter((e) => e.type === 'incident.archived')
        .map((e) => (e.data as { id: string }).id)
        .filter((id) => ids.includes(id));
    await until(async () => archived().length >= N, 30_000);
    await until(async () => sweepsOn2 > 0);
    // Let any sweep still in flight finish, then count: once each.
    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    await feed.waitForSeq(head);
    expect(archived().sort()).toEqual([...ids].sort());
    expect(new Set(archived()).size).toBe(N);
    for (const id of ids) expect(await s.container.redis.hexists(s.container.keys.incidents, id)).toBe(0);
    expect(results.every((r) => r.outcome !== 'history_unavailable')).toBe(true);
  });
});
