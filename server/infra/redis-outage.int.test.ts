import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer } from '../container.ts';
import { loadConfig } from '../config.ts';
import { JOBS, JobRegistry } from '../pipeline/registry.ts';
import { PipelineQueue, startPipelineWorker } from '../pipeline/queue.ts';
import { connect } from './redis.ts';
import { redisErrorStats } from './redis-errors.ts';
import {
  INTAKE_KEY,
  redisProcess,
  startTestRedis,
  startTestServer,
  waitForPipelineIdle,
  type TestServer,
} from '../testing/harness.ts';

/**
 * A frozen Redis (SIGSTOP) and a dead one (SIGKILL, kept down) must both be answered at once
 * with 503 + Retry-After, intake and /healthz alike, and recovery must need nothing but Redis
 * coming back. Before the fix a frozen Redis made every request wait as long as it was frozen.
 */

let n = 0;
function incident() {
  const i = n++;
  // Far apart and in a category that does not merge: each 202 is its own incident.
  return {
    source: 'hotline-12345',
    externalId: `outage-${process.pid}-${i}`,
    kind: 'case',
    category: 'other',
    title: `停电测试 ${i}`,
    location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + Math.floor(i / 40) * 0.009 },
  };
}

// A guard, not a measurement: a request that does not answer at all fails the test with a
// message instead of hanging it (the bound we promise is REDIS_TIMEOUT_MS, far below this).
const GUARD_MS = 20_000;

async function request(url: string, init: RequestInit = {}) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(GUARD_MS) });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    throw new Error(`${init.method ?? 'GET'} ${url} did not answer: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis down or frozen', () => {
  let s: TestServer;
  let pids: { pid: number; wrapperPid: number };
  const accepted: string[] = [];

  const post = () =>
    request(`${s.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTAKE_KEY}` },
      body: JSON.stringify(incident()),
    });
  const health = () => request(`${s.url}/healthz`);
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };

  function expectUnavailable(r: Awaited<ReturnType<typeof post>>) {
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error).toBe('unavailable');
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
  }

  /** Posts until one is accepted; every 202 is remembered, to be found in the log later. */
  async function postUntilAccepted() {
    await until('intake to accept again', async () => {
      const r = await post();
      if (r.status === 202) {
        accepted.push(r.body.id);
        return r;
      }
      // While Redis comes back the only acceptable refusal is the 503 of the contract.
      expectUnavailable(r);
      return null;
    });
    await until('/healthz to recover', async () => ((await health()).status === 200 ? true : null));
  }

  beforeAll(async () => {
    s = await startTestServer();
    pids = await redisProcess(s);
  });
  afterAll(async () => {
    // Whatever failed, leave nothing stopped behind.
    if (pids) {
      signal(pids.pid, 'SIGCONT');
      signal(pids.wrapperPid, 'SIGCONT');
    }
    await s?.close();
  });

  it('accepts while Redis answers', async () => {
    const r = await post();
    expect(r.status).toBe(202);
    accepted.push(r.body.id);
    expect((await health()).status).toBe(200);
  });

  it('frozen: intake and /healthz answer 503 with Retry-After instead of waiting', async () => {
    signal(pids.pid, 'SIGSTOP');
    const answers = await Promise.all([post(), post(), post()]);
    answers.forEach(expectUnavailable);
    const h = await health();
    expect(h.status).toBe(503);
    expect(Number(h.retryAfter)).toBeGreaterThanOrEqual(1);
    // Still frozen: the next request is refused just the same (no queue of stuck commands).
    expectUnavailable(await post());
  });

  it('thawed: accepts again', async () => {
    signal(pids.pid, 'SIGCONT');
    await postUntilAccepted();
  });

  it('killed and kept down: 503 with Retry-After, not 500', async () => {
    // Stopping the supervisor's wrapper first keeps it from restarting Redis until we say so.
    pids = await redisProcess(s);
    const before = redisErrorStats().byConnection.state ?? 0;
    signal(pids.wrapperPid, 'SIGSTOP');
    signal(pids.pid, 'SIGKILL');
    await until('the connection to notice', async () => (s.container.redis.status === 'ready' ? null : true));
    for (let i = 0; i < 3; i++) expectUnavailable(await post());
    expect((await health()).status).toBe(503);
    // The connection's errors were seen (counted; logged, rate-limited), not swallowed.
    expect(redisErrorStats().byConnection.state ?? 0).toBeGreaterThan(before);
  });

  it('restarted: accepts again, and every 202 was stored', async () => {
    signal(pids.wrapperPid, 'SIGCONT');
    await postUntilAccepted();
    await until('the pipeline to drain', async () => {
      await waitForPipelineIdle(s);
      const events = await s.container.store.readBackwards(null, 500);
      const created = new Set(
        events.filter((e) => e.type === 'incident.created').map((e) => (e.data as { id: string }).id),
      );
      return accepted.every((id) => created.has(id)) ? true : null;
    });
  });
});

describe('a job that meets an unanswering Redis', () => {
  it('runs again shortly without using up an attempt', async () => {
    const redis = await startTestRedis();
    // A real timeout from a real Redis: BLPOP outlasts this connection's command timeout.
    const slow = connect(redis.url, 'test-slow', { commandTimeout: 100 });
    let runs = 0;
    // Every job the registry declares, as a no-op, but the one under test.
    const noop = Object.fromEntries(Object.keys(JOBS).map((n) => [n, async () => undefined]));
    const registry = JobRegistry.create({
      ...noop,
      'intake.incident': async () => {
        if (++runs <= 3) await slow.blpop('pz-nothing-here', 5);
        return 'committed';
      },
    });
    const queue = new PipelineQueue(redis.url, '{pzjobs}');
    const worker = startPipelineWorker(redis.url, '{pzjobs}', registry, 1);
    try {
      const data = { id: 'INC-x', input: incident(), actor: 'test', receivedAt: new Date().toISOString() };
      // One attempt only: had a timeout spent it, the job would fail for good.
      await queue.add('intake.incident', data, 'INC-x', { attempts: 1 });
      const counts = await until('the job to finish', async () => {
        const c = await queue.counts();
        return (c.completed ?? 0) + (c.failed ?? 0) > 0 ? c : null;
      });
      expect(counts.failed ?? 0).toBe(0);
      expect(counts.completed).toBe(1);
      expect(runs).toBe(4);
    } finally {
      await worker.close();
      await queue.close();
      slow.disconnect();
      await redis.stop();
    }
  });
});

describe('a Redis slow to answer at start', () => {
  it('is waited for: the request timeout does not apply to the first connect', async () => {
    const redis = await startTestRedis();
    const info = await (async () => {
      const probe = connect(redis.url, 'test-probe');
      try {
        return await probe.info('server');
      } finally {
        probe.disconnect();
      }
    })();
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    const config = { ...loadConfig({ DATA_DIR: redis.dir }), prefix: '{pzslow}', redisTimeoutMs: 100 };
    process.kill(pid, 'SIGSTOP');
    try {
      const starting = createContainer(config, redis.url);
      // The fault: Redis stays frozen for many request timeouts while the server starts.
      await new Promise((r) => setTimeout(r, 1000));
      process.kill(pid, 'SIGCONT');
      const c = await starting;
      expect(await c.redis.ping()).toBe('PONG');
      await c.close();
    } finally {
      process.kill(pid, 'SIGCONT');
      await redis.stop();
    }
  });
});
