/**
 * Fault injection on the real processes, kept as tests: SIGTERM and SIGKILL of the server, its
 * worker and its Redis in the middle of a burst of posts. What must hold every time: nothing that
 * was answered 202 is lost, and a shutdown answers every request fully (never a reset).
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTAKE_KEY, login } from '../testing/harness.ts';
import { alive, exited, freePort, processTracker, ROOT, waitHealthy } from '../testing/processes.ts';

const { children, strays, tempDataDir, startServer } = processTracker();

/** True once nothing accepts connections on the port. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

/** Pids of every process below `pid` (children, grandchildren, …). */
function descendants(pid: number): number[] {
  const kids = spawnSync('pgrep', ['-P', String(pid)])
    .stdout.toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const pidsMatching = (pattern: string) =>
  spawnSync('pgrep', ['-f', pattern]).stdout.toString().trim().split('\n').filter(Boolean).map(Number);

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: any };

/** One request on a keep-alive agent (node:http: the socket reuse a proxy or SDK does). */
function request(agent: http.Agent, url: string, method: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${INTAKE_KEY}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const incident = (tag: string, w: number, i: number) => ({
  source: 'fault-test',
  externalId: `${tag}-${w}-${i}`,
  kind: 'case',
  category: 'other',
  title: `故障测试 ${tag} ${w}-${i}`,
  location: { lng: 116.1 + (i % 50) * 0.005, lat: 39.9 + w * 0.03 },
});

/**
 * Posters on keep-alive connections until `stop()`, or until the server says it is going away.
 * Every 202'd id is kept; so is every error, which the fault tests then judge.
 */
function burst(url: string, tag: string, posters = 8) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: posters });
  const accepted: string[] = [];
  const answers: Answer[] = [];
  const errors: NodeJS.ErrnoException[] = [];
  let stopped = false;
  const done = Promise.all(
    Array.from({ length: posters }, async (_, w) => {
      for (let i = 0; !stopped; i++) {
        try {
          const a = await request(agent, `${url}/api/v1/incidents`, 'POST', incident(tag, w, i));
          answers.push(a);
          if (a.status === 202) accepted.push(a.body.id);
          // Going away: a client would retry elsewhere or later.
          if (a.headers.connection === 'close' && a.status === 503) return;
          // Redis restarting: back off a little, as a client honouring Retry-After would.
          if (a.status === 503) await new Promise((r) => setTimeout(r, 50));
        } catch (err) {
          errors.push(err as NodeJS.ErrnoException);
          return;
        }
      }
    }),
  ).finally(() => agent.destroy());
  return {
    accepted,
    answers,
    errors,
    done,
    stop: () => {
      stopped = true;
      return done;
    },
    async until(n: number, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (accepted.length < n) {
        if (Date.now() > end || errors.length) throw new Error(`only ${accepted.length} accepted: ${errors}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Ids of `accepted` not (yet) in the state; polled until empty. */
async function expectAllCommitted(url: string, accepted: string[]): Promise<void> {
  const cookie = await login(url, 'duty');
  const missing = async () => {
    const snap = await (await fetch(`${url}/api/v1/snapshot`, { headers: { cookie } })).json();
    const ids = new Set(snap.incidents.map((i: { id: string }) => i.id));
    return accepted.filter((id) => !ids.has(id));
  };
  await expect.poll(missing, { timeout: 60_000, interval: 500 }).toEqual([]);
}

describe('faults', () => {
  it('SIGTERM mid-burst: every answer complete (2xx, or 503 with Retry-After and Connection: close), no reset, nothing lost, exit 0', async () => {
    const dataDir = tempDataDir('term');
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir });
    await waitHealthy(server.url);

    const posts = burst(server.url, 'term');
    await posts.until(150);
    // A client with an idle keep-alive connection that sends on it once the server is draining
    // (it no longer accepts new connections): it must get a full answer telling it to go.
    const prober = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(prober, `${server.url}/healthz`, 'GET')).status).toBe(200);
    server.child.kill('SIGTERM');
    await expect.poll(() => refused(port), { timeout: 30_000, interval: 20 }).toBe(true);
    const refusal = await request(prober, `${server.url}/healthz`, 'GET');
    prober.destroy();
    expect(refusal.status).toBe(503);
    expect(refusal.headers['retry-after']).toMatch(/^\d+$/);
    expect(refusal.headers.connection).toBe('close');

    await posts.done;
    expect(await exited(server.child), server.output()).toBe(0);
    // The only error allowed: a new connection refused once the server stopped listening.
    expect(
      posts.errors.filter((e) => e.code !== 'ECONNREFUSED').map((e) => `${e.code} ${e.message}`),
    ).toEqual([]);
    for (const a of posts.answers) {
      if (a.status === 202) continue;
      expect(a.status).toBe(503);
      expect(a.headers['retry-after']).toMatch(/^\d+$/);
      expect(a.headers.connection).toBe('close');
    }

    const again = startServer(server.env);
    await waitHealthy(again.url);
    await expectAllCommitted(again.url, posts.accepted);
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);
  }, 180_000);

  it('worker kill -9 with jobs in flight: its jobs are taken up again, nothing lost', async () => {
    const dataDir = tempDataDir('wkill');
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir, WORKERS: '1' });
    await waitHealthy(server.url);
    const workers = () =>
      spawnSync('pgrep', ['-P', String(server.child.pid), '-f', 'worker-main'])
        .stdout.toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
    await expect.poll(() => workers().length, { timeout: 30_000 }).toBe(1);
    const [first] = workers();

    const posts = burst(server.url, 'wkill');
    await posts.until(200);
    process.kill(first, 'SIGKILL');
    await posts.until(posts.accepted.length + 100);
    await posts.stop();
    expect(posts.errors).toEqual([]);
    // A new worker replaces it and finishes the killed one's jobs (BullMQ's stalled-job check).
    await expectAllCommitted(server.url, posts.accepted);
    expect(workers()).not.toContain(first);
    server.child.kill('SIGTERM');
    expect(await exited(server.child), server.output()).toBe(0);
  }, 180_000);

  it('Redis kill -9 three times in a row while posting: the supervisor restarts it, every 202 is kept', async () => {
    const dataDir = tempDataDir('rkill');
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir });
    await waitHealthy(server.url);
    const redisPids = () => pidsMatching(`^redis-server .*${dataDir}/redis.sock`);

    const posts = burst(server.url, 'rkill');
    await posts.until(100);
    for (let round = 0; round < 3; round++) {
      const [pid] = redisPids();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      // The next kill only once a new Redis runs and takes writes again.
      await expect
        .poll(() => redisPids().some((p) => p !== pid), { timeout: 30_000, interval: 50 })
        .toBe(true);
      await posts.until(posts.accepted.length + 50);
    }
    await posts.stop();
    expect(posts.errors).toEqual([]);
    // Refused while Redis was down is allowed, as the contract's 503 (never a 500); accepted-then-lost is not.
    expect(posts.answers.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
    await expectAllCommitted(server.url, posts.accepted);
    server.child.kill('SIGTERM');
    expect(await exited(server.child), server.output()).toBe(0);
  }, 180_000);

  it('a SIGTERM to `npm start` stops the server, its worker and its Redis: no orphan; a second start refuses', async () => {
    const dataDir = tempDataDir('npm');
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    children.push(npm);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, 150_000); // the build comes first
    // Every process of the tree: npm, (sh,) tsx, the server, its worker, Redis and its wrapper.
    let tree: number[] = [];
    await expect
      .poll(
        () => {
          tree = descendants(npm.pid!);
          return pidsMatching(`redis-server.*${dataDir}`).every((p) => tree.includes(p)) &&
            tree.some((p) =>
              spawnSync('ps', ['-o', 'args=', '-p', String(p)])
                .stdout.toString()
                .includes('worker-main'),
            )
            ? 'all up'
            : 'starting';
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe('all up');
    strays.push(...tree);
    expect(tree.length).toBeGreaterThanOrEqual(4);

    // A second `npm start` on the same DATA_DIR refuses before building, naming the running one.
    const owner = JSON.parse(readFileSync(path.join(dataDir, 'pingzhan.lock'), 'utf8'));
    expect(tree).toContain(owner.pid);
    let out = '';
    const second = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(second);
    second.stdout!.on('data', (d) => (out += d));
    second.stderr!.on('data', (d) => (out += d));
    expect(await exited(second)).not.toBe(0);
    expect(out).toContain(`pid ${owner.pid} at ${url}`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    npm.kill('SIGTERM');
    expect(await exited(npm)).toBe(0);
    await expect.poll(() => tree.filter(alive), { timeout: 30_000, interval: 200 }).toEqual([]);
  }, 240_000);
});
