import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../shared/incident.ts';
import { isWellFormed } from '../../shared/text.ts';
import { versionKey } from '../log/event-store.ts';
import { loginAll, reportIncident, until } from '../testing/command-helpers.ts';
import {
  postJson,
  startTestRedis,
  startTestServer,
  type TestRedis,
  type TestServer,
} from '../testing/harness.ts';

/**
 * A lone surrogate used to freeze an entity for good: commit.lua decoded the stored JSON to read
 * its version, cjson refused the `\ud800` escape, and every later command on it answered 500.
 */
const PREFIX = `{pzpoison${process.pid}}`;
let redis: TestRedis;
let srv: TestServer;

beforeAll(async () => {
  redis = await startTestRedis();
  srv = await startTestServer({ redisUrl: redis.url, prefix: PREFIX });
});
afterAll(async () => {
  await srv?.close();
  await redis?.stop();
});

describe('poison text', () => {
  it('refuses a lone surrogate sent as a JSON escape, naming the field, and queues nothing', async () => {
    const before = await srv.container.queue.counts();
    const body =
      '{"source":"hotline","kind":"case","category":"fire","title":"火\\ud800灾",' +
      '"location":{"lng":116.31,"lat":39.98},"description":"ok"}';
    const r = await postJson(`${srv.url}/api/v1/incidents`, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: 'invalid_request',
      issues: [{ path: 'title', message: expect.stringMatching(/ill-formed/) }],
    });
    expect(await srv.container.queue.counts()).toEqual(before);

    const as = await loginAll(srv.url);
    const mode = await as.commander.post('/api/v1/mode', { state: 'wartime', reason: 'x\udc00' });
    expect(mode.status).toBe(400);
    expect(mode.body.issues[0].path).toBe('reason');
    const blank = await postJson(`${srv.url}/api/v1/incidents`, {
      source: 'hotline',
      kind: 'case',
      category: 'fire',
      title: '\u200b\u2060 ',
      location: { lng: 116.31, lat: 39.98 },
    });
    expect(blank.status).toBe(400);
    expect(blank.body.issues[0].path).toBe('title');
  });

  it('quotes a report of emoji in the history without splitting one', async () => {
    const as = await loginAll(srv.url);
    const inc = await reportIncident(srv.url, as.commander, { category: 'flood' });
    const text = '🌊'.repeat(300);
    const r = await as.liaison.post(`/api/v1/incidents/${inc.id}/reports`, { text });
    expect(r.status).toBe(201);
    const after = (await as.liaison.get(`/api/v1/incidents/${inc.id}`)).body as IncidentRecord;
    const note = after.history.at(-1)!.note!;
    expect(isWellFormed(note)).toBe(true);
    expect(note).toBe('🌊'.repeat(140) + '…');
  });

  it('an entity whose stored JSON holds \\ud800 (older data) takes commands again after a restart', async () => {
    let as = await loginAll(srv.url);
    const inc = await reportIncident(srv.url, as.commander, { category: 'fire', title: '仓库起火' });
    const k = srv.container.keys;
    const r = srv.container.redis;
    // Legacy data: the title holds a lone surrogate and the version lives only inside the JSON,
    // as versions before this fix wrote it.
    const poisoned = JSON.stringify({ ...inc, title: `仓库\ud800起火` });
    expect(poisoned).toContain('\\ud800');
    await r.hset(k.incidents, inc.id, poisoned);
    await r.hdel(versionKey(k.incidents), inc.id);
    const mode = JSON.parse((await r.hget(k.meta, 'mode'))!);
    await r.hset(k.meta, 'mode', JSON.stringify({ ...mode, reason: `旧\udfff数据` }));
    await r.del(versionKey(k.meta));

    // Start-up migrates the versions out of the JSON, before anything commits.
    await srv.close();
    srv = await startTestServer({ redisUrl: redis.url, prefix: PREFIX });
    as = await loginAll(srv.url);

    const report = await as.liaison.post(`/api/v1/incidents/${inc.id}/reports`, { text: '现场已控制' });
    expect(report.status).toBe(201);
    const verified = await as.duty.patch(`/api/v1/incidents/${inc.id}`, { status: 'verified' });
    expect(verified.status).toBe(200);
    expect(verified.body.version).toBe(inc.version + 2);
    const op = await as.commander.post('/api/v1/operations', { planId: 'plan-fire', incidentId: inc.id });
    expect(op.status).toBe(201);
    const snap = await until(async () => {
      const s = (await as.commander.get('/api/v1/snapshot')).body;
      return s.mode.state === 'wartime' ? s : null;
    });
    expect(snap.mode.operationIds).toContain(op.body.id);
  });

  it('a commit never overwrites an entity whose version it cannot find: it conflicts', async () => {
    const as = await loginAll(srv.url);
    const inc = await reportIncident(srv.url, as.commander, { category: 'traffic' });
    const k = srv.container.keys;
    await srv.container.redis.hdel(versionKey(k.incidents), inc.id);
    const res = await srv.container.store.commit({
      expect: [{ hash: 'incidents', id: inc.id, version: inc.version }],
      put: [{ hash: 'incidents', id: inc.id, value: { ...inc, title: 'lost', version: inc.version + 1 } }],
      events: [],
    });
    expect(res.status).toBe('conflict');
    expect(JSON.parse((await srv.container.redis.hget(k.incidents, inc.id))!).title).toBe(inc.title);
    // Migration is idempotent: a second run after the first finds nothing to do.
    expect(await srv.container.store.migrateVersions()).toBe(1);
    expect(await srv.container.store.migrateVersions()).toBe(0);
  });

  it('an ill-formed id in a command body is a 400, not a failed commit', async () => {
    const as = await loginAll(srv.url);
    const r = await as.commander.post('/api/v1/dispatches', { resourceId: '\ud800', incidentId: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.issues[0].path).toBe('resourceId');
  });
});
