import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../infra/keys.ts';
import { connect } from '../infra/redis.ts';
import { EventStore, finishedMember } from '../log/event-store.ts';
import { startTestRedis, type TestRedis } from '../testing/harness.ts';

/** The index of finished items the archive sweep reads (so it never scans the working set). */
describe('the finished index', () => {
  let r: TestRedis;
  let redis: ReturnType<typeof connect>;
  const k = keys('{pzfin}');
  let store: EventStore;
  beforeAll(async () => {
    r = await startTestRedis();
    redis = connect(r.url, 'test');
    store = new EventStore(redis, k);
  });
  afterAll(async () => {
    redis?.disconnect();
    await r?.stop();
  });

  const incident = (id: string, status: string, updatedAt: string, version: number) => ({
    id,
    status,
    updatedAt,
    version,
  });

  it('takes an item in when a commit writes it finished, and out when it is deleted', async () => {
    await store.commit({
      put: [
        {
          hash: 'incidents',
          id: 'INC-a',
          value: incident('INC-a', 'accepted', '2026-12-01T01:00:00.000Z', 1),
        },
      ],
      events: [],
    });
    expect(await redis.zscore(k.finished, finishedMember('incidents', 'INC-a'))).toBeNull();
    await store.commit({
      expect: [{ hash: 'incidents', id: 'INC-a', version: 1 }],
      put: [
        { hash: 'incidents', id: 'INC-a', value: incident('INC-a', 'closed', '2026-12-01T02:00:00.000Z', 2) },
      ],
      events: [],
    });
    expect(Number(await redis.zscore(k.finished, finishedMember('incidents', 'INC-a')))).toBe(
      Date.parse('2026-12-01T02:00:00.000Z'),
    );
    await store.commit({
      expect: [{ hash: 'incidents', id: 'INC-a', version: 2 }],
      del: [{ hash: 'incidents', id: 'INC-a' }],
      events: [],
    });
    expect(await redis.zcard(k.finished)).toBe(0);
  });

  it('is built once from data written before it existed', async () => {
    await redis.hset(
      k.incidents,
      'INC-old',
      JSON.stringify(incident('INC-old', 'closed', '2026-11-01T00:00:00.000Z', 3)),
    );
    await redis.hset(
      k.incidents,
      'INC-open',
      JSON.stringify(incident('INC-open', 'verified', '2026-11-01T00:00:00.000Z', 3)),
    );
    await redis.hset(
      k.operations,
      'OP-old',
      JSON.stringify({
        id: 'OP-old',
        status: 'stood_down',
        stoodDownAt: '2026-11-02T00:00:00.000Z',
        version: 2,
      }),
    );
    await redis.hset(k.videoAlerts, 'VA-x', 'not json');
    expect(await store.migrateFinished()).toBe(2);
    expect(await redis.zrange(k.finished, '0', '-1')).toEqual([
      finishedMember('incidents', 'INC-old'),
      finishedMember('operations', 'OP-old'),
    ]);
    // Done once: a later start does not scan again.
    await redis.hset(
      k.incidents,
      'INC-later',
      JSON.stringify(incident('INC-later', 'closed', '2026-11-03T00:00:00.000Z', 1)),
    );
    expect(await store.migrateFinished()).toBe(0);
  });
});
