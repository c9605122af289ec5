import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingEvent } from '../../shared/protocol.ts';
import { loadConfig } from '../config.ts';
import { createContainer, type Container } from '../container.ts';
import { startPipelineWorker } from '../pipeline/queue.ts';
import { hasRedisServer } from './redis-supervisor.ts';
import {
  postAccepted,
  postJson,
  startTestServer,
  waitForHead,
  waitForPipelineIdle,
  type TestServer,
} from '../testing/harness.ts';
import { caseReport, eventsShape, startTestPostgres, type TestPostgres } from '../testing/postgres.ts';
import { hasRedisCli, startTestCluster, until, type TestCluster } from '../testing/redis-topology.ts';

/**
 * The product on a real Redis Cluster of three masters this test starts itself
 * (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`): REDIS_URL
 * `redis+cluster://…` makes `connect()` a Cluster client, BullMQ gets Cluster clients through the
 * same URL, and every key shares the hash tag `{pz}`, so the Lua commit (state + seq + events)
 * and BullMQ's scripts each run on the one node that owns that slot.
 */

function incident(i: number) {
  // Far apart and in a category that does not merge: each report is its own incident.
  return {
    source: 'hotline-12345',
    externalId: `cluster-${i}`,
    kind: 'case' as const,
    category: 'other' as const,
    title: `集群测试 ${i}`,
    location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + Math.floor(i / 40) * 0.009 },
  };
}

describe.skipIf(!hasRedisServer() || !hasRedisCli())('on a Redis Cluster of three masters', () => {
  let cluster: TestCluster;
  let pg: TestPostgres;
  let dataDir: string;
  let c: Container;
  let worker: Worker;

  beforeAll(async () => {
    cluster = await startTestCluster(3);
    pg = await startTestPostgres();
    dataDir = mkdtempSync(path.join(tmpdir(), 'pz-cluster-data-'));
    // The product's own prefix: `{pz}`.
    const config = { ...loadConfig({ DATA_DIR: dataDir }), redisUrl: cluster.url, databaseUrl: pg.url };
    expect(config.prefix).toBe('{pz}');
    c = await createContainer(config, cluster.url, { databaseUrl: pg.url, projector: false });
    worker = startPipelineWorker(cluster.url, c.keys.bullPrefix, c.registry, 8);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await c?.close();
    await pg?.stop();
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('connect() and BullMQ make Cluster clients, and every key of the district is in one slot', async () => {
    expect(c.redis).toBeInstanceOf(Cluster);
    // BullMQ's own connections, made from the same URL, are Cluster clients too (the blocking one as well).
    expect((await worker.getBackend().client).isCluster).toBe(true);
    expect((await worker.getBackend().blockingClient)?.isCluster).toBe(true);
    expect((await c.queue.bullQueue.getBackend().client).isCluster).toBe(true);
    const keys = [
      c.keys.seq,
      c.keys.events,
      c.keys.incidents,
      c.keys.done,
      `${c.keys.bullPrefix}:pipeline:wait`,
    ];
    const slots = await Promise.all(keys.map((k) => c.redis.call('CLUSTER', 'KEYSLOT', k)));
    expect(new Set(slots).size).toBe(1);
    // Three masters share the 16384 slots; the district lives on the one that owns `{pz}`.
    const nodes = (c.redis as unknown as Cluster).nodes('master');
    expect(nodes.length).toBe(3);
    // The seed went through the commit script at start.
    expect(await c.store.headSeq()).toBeGreaterThan(0);
  });

  it('the Lua commit is atomic, numbered and idempotent on the cluster', async () => {
    const head = await c.store.headSeq();
    const id = `CL-${process.pid}`;
    const plan = {
      idempotencyKey: `cluster-test:${id}`,
      result: id,
      expect: [{ hash: 'meta' as const, id, version: null }],
      put: [{ hash: 'meta' as const, id, value: { id, version: 1 } }],
      // Any event type will do here: the store numbers and logs what it is given.
      events: [{ type: 'mode.changed', data: { id } } as unknown as PendingEvent],
    };
    const first = await c.store.commit(plan);
    expect(first.status).toBe('ok');
    if (first.status === 'ok') expect(first.events.map((e) => e.seq)).toEqual([head + 1]);
    // The retried job: the same key commits nothing more.
    expect(await c.store.commit(plan)).toEqual({ status: 'duplicate', result: id });
    // A second writer that read the old version: a conflict, not an overwrite.
    const stale = await c.store.commit({ ...plan, idempotencyKey: `cluster-test:${id}:2` });
    expect(stale.status).toBe('conflict');
    expect(await c.store.headSeq()).toBe(head + 1);
  });

  // Without an idempotency key the commit still passes a key inside the hash tag (an empty key
  // would be a slot of its own, and the cluster would refuse the script).
  it('a commit without an idempotency key (operator commands, the archive sweep) runs too', async () => {
    const id = `CL-free-${process.pid}`;
    const res = await c.store.commit({
      put: [{ hash: 'meta', id, value: { id, version: 1 } }],
      events: [{ type: 'mode.changed', data: { id } } as unknown as PendingEvent],
    });
    expect(res.status).toBe('ok');
  });

  it('intake → BullMQ → worker → commit: every report becomes one incident, the log gapless', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await c.intake.submitIncident(incident(i), 'cluster-test')).id);
    await until(
      'every report to be an incident',
      async () => {
        for (const id of ids)
          if ((await c.state.getIncident(await c.state.resolveIncidentId(id))) === null) return null;
        return true;
      },
      60_000,
    );
    const head = await c.store.headSeq();
    const events = await c.store.readAfter(0, head + 10);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    const created = events
      .filter((e) => e.type === 'incident.created')
      .map((e) => (e.data as { id: string }).id);
    for (const id of ids) expect(created.filter((x) => x === id)).toHaveLength(1);
  });
});

describe.skipIf(!hasRedisServer() || !hasRedisCli())('the whole server on redis+cluster://', () => {
  let cluster: TestCluster;
  let s: TestServer;

  beforeAll(async () => {
    cluster = await startTestCluster(3);
    s = await startTestServer({ redisUrl: cluster.url });
  }, 180_000);

  afterAll(async () => {
    await s?.close();
    await cluster?.stop();
  }, 60_000);

  it('answers 202s, commits them, and projects the log into PostgreSQL', async () => {
    expect((await postJson(`${s.url}/healthz`, undefined, {}, 'GET')).status).toBe(200);
    for (let i = 0; i < 20; i++)
      await postAccepted(`${s.url}/api/v1/incidents`, caseReport('cluster-server', i));
    await waitForPipelineIdle(s, 60_000);
    const head = await s.container.store.headSeq();
    await waitForHead(s, head, 60_000);
    expect(await eventsShape(s.container.history.pool)).toEqual({
      n: head,
      distinct: head,
      max: head,
      min: 1,
    });
  });
});
