/**
 * GET /metrics on real servers: the token, the metric names, and the figures moving as intake,
 * the pipeline, the commit and the live feed do their work; and errors of a Redis that goes away
 * counted and logged without flooding the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countError, errorTotals } from '../metrics.ts';
import { PipelineQueue } from '../../pipeline/queue.ts';
import { RedisErrorLog } from '../redis-errors.ts';
import { connect } from '../redis.ts';
import { until } from '../../testing/command-helpers.ts';
import { RecordingClient } from '../../testing/live-client.ts';
import {
  login,
  postAccepted,
  startTestRedis,
  startTestServer,
  waitForHead,
  type TestServer,
} from '../../testing/harness.ts';

const TOKEN = 'metrics-token-for-tests';

const report = (i: number) => ({
  source: 'grid-app',
  externalId: `metrics-${process.pid}-${i}`,
  kind: 'case',
  category: 'other',
  title: `指标 ${i}`,
  location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + (Math.floor(i / 40) % 30) * 0.009 },
});

async function scrape(s: TestServer, token: string | null = TOKEN): Promise<string> {
  const res = await fetch(`${s.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample, e.g. `value(text, 'pingzhan_live_consoles', {role: 'duty'})`; 0 if absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

const NAMES = [
  'pingzhan_http_responses_total',
  'pingzhan_intake_requests_total',
  'pingzhan_queue_jobs',
  'pingzhan_queue_oldest_waiting_seconds',
  'pingzhan_commit_duration_seconds',
  'pingzhan_committed_events_total',
  'pingzhan_projection_lag_events',
  'pingzhan_feed_lag_seconds',
  'pingzhan_feed_frame_bytes',
  'pingzhan_live_consoles',
  'pingzhan_feed_resyncs_total',
  'pingzhan_feed_slow_consumer_drops_total',
  'pingzhan_errors_total',
  'nodejs_eventloop_lag_p99_seconds',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
];

describe('GET /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('wants the token when METRICS_TOKEN is set', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    // A session is no substitute: the scraper is not an operator.
    const admin = await login(s.url, 'admin');
    expect((await fetch(`${s.url}/metrics`, { headers: { cookie: admin } })).status).toBe(401);
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('names every metric of the contract', async () => {
    const text = await scrape(s);
    for (const n of NAMES) expect(text, n).toContain(`# TYPE ${n} `);
  });

  it('moves with intake, commits, the feed and a connected console', async () => {
    const before = await scrape(s);
    const duty = new RecordingClient(s.url, await login(s.url, 'duty'));
    await duty.connected();
    await until(async () => value(await scrape(s), 'pingzhan_live_consoles', { role: 'duty' }) === 1);

    const head = await s.container.store.headSeq();
    await postAccepted(`${s.url}/api/v1/incidents`, report(1));
    await postAccepted(`${s.url}/api/v1/incidents`, report(2));
    await waitForHead(s, head + 2);
    await duty.waitForSeq(head + 2);

    const after = await until(async () => {
      const t = await scrape(s);
      return value(t, 'pingzhan_feed_lag_seconds_count') >=
        value(before, 'pingzhan_feed_lag_seconds_count') + 2
        ? t
        : null;
    });
    const rise = (name: string, labels?: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(rise('pingzhan_intake_requests_total', { kind: 'incident', status: '202' })).toBe(2);
    expect(
      rise('pingzhan_http_responses_total', { method: 'POST', route: '/api/v1/incidents', status: '202' }),
    ).toBe(2);
    expect(rise('pingzhan_commit_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(rise('pingzhan_committed_events_total')).toBeGreaterThanOrEqual(2);
    expect(rise('pingzhan_feed_frame_bytes_count')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'pingzhan_feed_frame_bytes_sum')).toBeGreaterThan(0);
    expect(value(after, 'pingzhan_live_consoles', { role: 'duty' })).toBe(1);
    expect(value(after, 'pingzhan_live_consoles', { role: 'commander' })).toBe(0);
    expect(after).toMatch(/^pingzhan_projection_lag_events \d+$/m);

    // A refused post is counted by its code, not as intake that went through.
    const bad = await fetch(`${s.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-intake-key', 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'case' }),
    });
    expect(bad.status).toBe(400);
    const later = await scrape(s);
    expect(
      value(later, 'pingzhan_intake_requests_total', { kind: 'incident', status: '400' }) -
        value(before, 'pingzhan_intake_requests_total', { kind: 'incident', status: '400' }),
    ).toBe(1);

    duty.close();
    await until(async () => value(await scrape(s), 'pingzhan_live_consoles', { role: 'duty' }) === 0);
  });

  it('counts a resync', async () => {
    const before = value(await scrape(s), 'pingzhan_feed_resyncs_total');
    // A `since` ahead of the log: the console is told to resync.
    const head = await s.container.store.headSeq();
    const c = new RecordingClient(s.url, await login(s.url, 'commander'), head + 1000);
    await until(async () => c.resyncs.length > 0);
    c.close();
    expect(value(await scrape(s), 'pingzhan_feed_resyncs_total')).toBe(before + 1);
  });
});

describe('GET /metrics without METRICS_TOKEN, and a queue that waits', () => {
  let s: TestServer;
  beforeAll(async () => {
    // No worker in this process: jobs stay waiting, so the queue's depth and age show.
    s = await startTestServer({ env: { WORKER_CONCURRENCY: '0' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is open, and shows the waiting jobs and the age of the oldest', async () => {
    await postAccepted(`${s.url}/api/v1/incidents`, report(100));
    const text = await until(async () => {
      const t = await scrape(s, null);
      return value(t, 'pingzhan_queue_jobs', { state: 'waiting' }) >= 1 &&
        value(t, 'pingzhan_queue_oldest_waiting_seconds') > 0
        ? t
        : null;
    });
    expect(value(text, 'pingzhan_queue_jobs', { state: 'active' })).toBe(0);
  });
});

describe('errors of a Redis that goes away', () => {
  it('are counted and logged, one line per kind and window, not one per error', async () => {
    const redis = await startTestRedis();
    const lines: { obj: Record<string, unknown>; msg?: string }[] = [];
    // A clock of the test's own: "within the window" is what the test says, not how fast it runs.
    let now = 1_000_000;
    const log = new RedisErrorLog(
      { warn: (obj, msg) => lines.push({ obj: obj as never, msg }) },
      10_000,
      () => now,
    );
    const conns = Array.from({ length: 4 }, (_, i) => connect(redis.url, `doomed${i}`, {}, log));
    const queue = new PipelineQueue(redis.url, '{pzdoomed}', { errors: log });
    await Promise.all(conns.map((c) => c.ping()));
    await queue.counts();
    const base = errorTotals();

    await redis.stop();
    await until(async () => errorTotals().redis >= base.redis + 20, 30_000);
    const first = lines.length;
    const kinds = new Set(lines.map((l) => `${String(l.obj.connection)}|${String(l.obj.err)}`));
    // Every line so far is the first of its kind; the other errors were counted, not logged.
    expect(first).toBe(kinds.size);
    expect(first).toBeLessThan(20);
    for (const l of lines) expect(l.msg).toBe('redis connection error');

    // A window later, the next error of a kind is logged once more, with how many were left out.
    now += 10_001;
    await until(async () => lines.slice(first).some((l) => Number(l.obj.suppressedSinceLast) > 0), 30_000);

    // BullMQ's own connections report as bullmq (the queue may notice a little later).
    await until(async () => errorTotals().bullmq > base.bullmq, 30_000);

    for (const c of conns) c.disconnect();
    // With its Redis gone, BullMQ's close would wait for a reconnect: bounded, not awaited for ever.
    await Promise.race([queue.close(), new Promise((r) => setTimeout(r, 2000))]);
  });

  it('reach every server registry as pingzhan_errors_total, PostgreSQL included', async () => {
    const s = await startTestServer();
    try {
      const before = await scrape(s, null);
      countError('postgres');
      const after = await scrape(s, null);
      expect(
        value(after, 'pingzhan_errors_total', { component: 'postgres' }) -
          value(before, 'pingzhan_errors_total', { component: 'postgres' }),
      ).toBe(1);
      // Process-wide counts: the doomed connections' errors above are in this server's registry too.
      expect(value(after, 'pingzhan_errors_total', { component: 'redis' })).toBeGreaterThanOrEqual(
        value(before, 'pingzhan_errors_total', { component: 'redis' }),
      );
      expect(value(after, 'pingzhan_errors_total', { component: 'redis' })).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
