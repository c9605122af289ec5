/**
 * Request ids end to end on a real server (Redis, PostgreSQL, BullMQ worker in the process): the
 * id of the HTTP request that posted a report is echoed to the caller and appears in the worker's
 * log line for that report's job; a caller's own `X-Request-Id` is kept only when it is a sane
 * token. And what the server logs meanwhile carries no key, cookie or password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config.ts';
import { startPingzhan, type Running } from '../../runtime.ts';
import { until } from '../../testing/command-helpers.ts';
import { INTAKE_KEY, postJson } from '../../testing/harness.ts';
import { startTestPostgres, type TestPostgres } from '../../testing/postgres.ts';

type Line = { level: number; msg: string; reqId?: string; job?: string; id?: string; outcome?: string };

let pg: TestPostgres;
let running: Running;
let dataDir: string;
const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  pg = await startTestPostgres();
  dataDir = mkdtempSync(path.join(tmpdir(), 'pz-reqid-'));
  const config: Config = {
    ...loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }),
    prefix: `{pzreqid${process.pid}}`,
    databaseUrl: pg.url,
  };
  // The harness's server, with its pino output captured: debug shows each job's line.
  running = await startPingzhan(config, {
    redisFsync: 'no',
    logger: { level: 'debug', stream: { write: (l: string) => void raw.push(l) } },
  });
});

afterAll(async () => {
  await running?.close();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
const report = () => ({
  source: 'hotline-12345',
  externalId: `reqid-${process.pid}-${++n}`,
  kind: 'case',
  category: 'other',
  title: `请求编号 ${n}`,
  // Far apart, so that each report is an incident of its own.
  location: { lng: 116.2 + n * 0.01, lat: 39.95 },
});

async function post(headers: Record<string, string> = {}) {
  const res = await postJson(`${running.url}/api/v1/incidents`, report(), {
    authorization: `Bearer ${INTAKE_KEY}`,
    ...headers,
  });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, requestId: res.headers.get('x-request-id') };
}

/** The worker's line for the job of intake id `id`, once it was committed. */
const jobLine = (id: string) =>
  until(async () => lines().find((l) => l.msg === 'job done' && l.job === 'intake.incident' && l.id === id));

describe('request ids', () => {
  it("carries the caller's X-Request-Id from the request to the worker's line for its job", async () => {
    const { id, requestId } = await post({ 'x-request-id': 'hotline-7f3a.42' });
    expect(requestId).toBe('hotline-7f3a.42');
    const line = await jobLine(id);
    expect(line).toMatchObject({ reqId: 'hotline-7f3a.42', outcome: 'created' });
  });

  it('gives a request without one an id of its own, and the job carries that', async () => {
    const { id, requestId } = await post();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await jobLine(id)).reqId).toBe(requestId);
  });

  it('names the request on answers that never reach a handler: 400, 401, 404', async () => {
    const bad = await postJson(
      `${running.url}/api/v1/incidents`,
      { ...report(), severity: 9 },
      { authorization: `Bearer ${INTAKE_KEY}`, 'x-request-id': 'probe-400' },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBe('probe-400');
    const anon = await fetch(`${running.url}/api/v1/snapshot`, { headers: { 'x-request-id': 'probe-401' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('x-request-id')).toBe('probe-401');
    const none = await fetch(`${running.url}/api/v1/no-such-route`);
    expect(none.status).toBe(404);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an id that is not a sane token', async () => {
    for (const bad of ['has space', 'x'.repeat(65), 'quote"d', '-leading-dash']) {
      const { id, requestId } = await post({ 'x-request-id': bad });
      expect(requestId).not.toBe(bad);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await jobLine(id)).reqId).toBe(requestId);
    }
  });

  it('logs no key, cookie or password on the way', async () => {
    // A login (its password and session cookie) and a refused key, beside the reports above.
    const login = await postJson(
      `${running.url}/api/v1/auth/login`,
      { username: 'duty', password: 'pingzhan' },
      {},
    );
    expect(login.status).toBe(200);
    await postJson(`${running.url}/api/v1/incidents`, report(), { authorization: 'Bearer wrong-key-xyz' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0].split('=')[1];
    const text = raw.join('');
    expect(raw.length).toBeGreaterThan(0);
    expect(text).not.toContain(INTAKE_KEY);
    expect(text).not.toContain('wrong-key-xyz');
    if (cookie) expect(text).not.toContain(cookie);
    const pgPassword = decodeURIComponent(/\/\/[^:/@]*:([^@]+)@/.exec(pg.url)?.[1] ?? '');
    expect(pgPassword.length).toBeGreaterThan(0);
    expect(text).not.toContain(pgPassword);
  });
});
