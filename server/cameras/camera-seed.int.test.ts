import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraState } from '../../shared/camera.ts';
import { apiAs } from '../testing/command-helpers.ts';
import { login, startTestRedis, startTestServer, type TestRedis } from '../testing/harness.ts';
import { startTestPostgres, type TestPostgres } from '../testing/postgres.ts';

describe('cameras seeded once', () => {
  let redis: TestRedis;
  let pg: TestPostgres;
  beforeAll(async () => {
    [redis, pg] = await Promise.all([startTestRedis(), startTestPostgres()]);
  });
  afterAll(async () => {
    await redis?.stop();
    await pg?.stop();
  });

  it('a restart on the same Redis neither re-seeds nor loses the links the admin set', async () => {
    const opts = { redisUrl: redis.url, databaseUrl: pg.url, prefix: '{pzcam}' };
    const first = await startTestServer(opts);
    const link = { links: { onvif: { producer: 'uri://camera-seed-test/ProducerReference', source: '1' } } };
    let head: number;
    try {
      const seeded = await first.container.store.readAfter(0, 10_000);
      expect(seeded.filter((e) => e.type === 'camera.updated')).toHaveLength(first.container.cameras.length);
      const admin = apiAs(first.url, await login(first.url, 'admin'));
      expect((await admin.patch('/api/v1/cameras/CAM-0020', link)).status).toBe(200);
      head = await first.container.store.headSeq();
    } finally {
      await first.close();
    }
    const second = await startTestServer(opts);
    try {
      expect(await second.container.store.headSeq()).toBe(head);
      const duty = apiAs(second.url, await login(second.url, 'duty'));
      const cams = (await duty.get('/api/v1/cameras')).body as CameraState[];
      expect(cams.find((c) => c.id === 'CAM-0020')?.links).toEqual(link.links);
    } finally {
      await second.close();
    }
  });
});
