import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';
import { connect } from './redis.ts';
import { startTestRedis, type TestRedis } from '../testing/harness.ts';

describe('a Redis that may evict', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => redis?.stop());

  it('is refused at start, with the command that fixes it', async () => {
    const admin = connect(redis.url, 'test-admin');
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const config = { ...loadConfig({ DATA_DIR: redis.dir }), prefix: '{pzevict}' };
    await expect(createContainer(config, redis.url)).rejects.toThrow(/noeviction/);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const c = await createContainer(config, redis.url);
    await c.close();
    admin.disconnect();
  });
});
