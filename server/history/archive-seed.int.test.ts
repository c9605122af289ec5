import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../shared/common.ts';
import type { Resource } from '../../shared/resource.ts';
import { seedIfEmpty } from '../data/seed.service.ts';
import { loginAll, snapshot, type Api } from '../testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * The seed enters by events: the log from seq 1 alone rebuilds the mode and every resource, so
 * nothing in Redis exists that the log (and the database projected from it) does not explain.
 */
describe('the seed, as events', () => {
  let s: TestServer;
  let as: Record<'duty' | 'commander' | 'liaison' | 'admin', Api>;
  beforeAll(async () => {
    s = await startTestServer();
    as = await loginAll(s.url);
  });
  afterAll(async () => s?.close());

  it('is one commit: mode.changed, then resource.updated per resource; replaying it gives the state', async () => {
    const snap = await snapshot(as.duty);
    const log = await s.container.store.readAfter(0, 10_000);
    // The cameras come last, by a commit of their own: a camera.updated each, as the snapshot has them.
    const cameras = log.filter((e) => e.type === 'camera.updated');
    expect(log.slice(-cameras.length)).toEqual(cameras);
    expect(cameras.map((e) => e.data)).toEqual(snap.cameras);
    expect(new Set(cameras.map((e) => e.at)).size).toBe(1);
    const all = log.slice(0, -cameras.length);
    // The case rules are seeded by a commit of their own, after the resources (version 1).
    expect(all.at(-1)).toMatchObject({
      type: 'case_rules.changed',
      data: { version: 1 },
      actor: 'system:seed',
    });
    const events = all.slice(0, -1);
    expect(events.length).toBe(snap.resources.length + 1);
    expect(events[0]).toMatchObject({ seq: 1, type: 'mode.changed', actor: 'system:seed' });
    expect(events.slice(1).every((e) => e.type === 'resource.updated')).toBe(true);
    expect(new Set(events.map((e) => e.at)).size).toBe(1); // one commit
    const { id: _id, ...mode } = events[0].data as Mode & { id: string };
    expect(mode).toEqual(snap.mode);
    const byId = (rs: Resource[]) => [...rs].sort((a, b) => a.id.localeCompare(b.id));
    const replayed = events.slice(1).map((e) => e.data as Resource);
    expect(byId(replayed)).toEqual(byId(snap.resources));
    expect(snap.seq).toBe(log.length);
    // A second start on the same store seeds nothing again.
    expect(await seedIfEmpty(s.container.store, s.container.state, [])).toBe(false);
    expect(await s.container.cameraState.seed()).toBe(0);
    expect(await s.container.store.headSeq()).toBe(log.length);
  });
});
