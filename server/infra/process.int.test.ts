import { fork, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { login, postJson } from '../testing/harness.ts';
import { exited, freePort, processTracker, ROOT, waitHealthy } from '../testing/processes.ts';

const { children, dirs, startServer } = processTracker();

describe('the server process', () => {
  it('keeps every 202 through kill -9 of the server, its worker and its Redis', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-crash-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir };
    const first = startServer(env);
    await waitHealthy(url);

    const accepted: string[] = [];
    let stop = false;
    const posters = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await postJson(`${url}/api/v1/incidents`, {
            source: 'crash-test',
            externalId: `w${w}-${i}`,
            kind: 'case',
            category: 'other',
            title: `崩溃测试 ${w}-${i}`,
            location: { lng: 116.1 + (i % 50) * 0.005, lat: 39.9 + w * 0.03 },
          });
          if (r.status === 202) accepted.push(r.body.id);
        } catch {
          return; // the server is gone
        }
      }
    });
    while (accepted.length < 300) await new Promise((r) => setTimeout(r, 10));
    // Both at once, mid-stream: the server and the redis-server it runs.
    const pids = spawnSync('pgrep', ['-f', `${dataDir}/redis`])
      .stdout.toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    // …and its pipeline worker: everything at once.
    const workers = spawnSync('pgrep', ['-P', String(first.child.pid), '-f', 'worker-main'])
      .stdout.toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(workers.length).toBe(1);
    first.child.kill('SIGKILL');
    for (const pid of [...pids, ...workers]) spawnSync('kill', ['-9', pid]);
    stop = true;
    await Promise.all(posters);
    await exited(first.child);

    const second = startServer(env);
    await waitHealthy(url);
    const cookie = await login(url, 'duty');
    const missing = async () => {
      const out: string[] = [];
      for (const id of accepted) {
        const r = await fetch(`${url}/api/v1/incidents/${id}`, { headers: { cookie } });
        if (r.status !== 200) out.push(id);
      }
      return out;
    };
    // The restarted worker finishes the queued jobs; poll until every accepted id is in the state.
    await expect.poll(missing, { timeout: 60_000, interval: 500 }).toEqual([]);
    const snap = await (await fetch(`${url}/api/v1/snapshot`, { headers: { cookie } })).json();
    const ids = new Set(snap.incidents.map((i: { id: string }) => i.id));
    expect(accepted.every((id) => ids.has(id))).toBe(true);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 180_000);

  it('runs the pipeline in a separate `npm run worker` process', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-worker-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir, WORKER_CONCURRENCY: '0' });
    await waitHealthy(url);
    const r = await postJson(`${url}/api/v1/incidents`, {
      source: 'worker-test',
      externalId: 'w-1',
      kind: 'case',
      category: 'environment',
      title: '垃圾堆放',
      location: { lng: 116.3, lat: 39.99 },
    });
    expect(r.status).toBe(202);
    const cookie = await login(url, 'duty');
    const status = async () =>
      (await fetch(`${url}/api/v1/incidents/${r.body.id}`, { headers: { cookie } })).status;
    // No worker in the server: the report waits in the queue until one starts.
    expect(await status()).toBe(404);
    const metricsPort = await freePort();
    const worker = spawn(process.execPath, ['--import', 'tsx', 'server/worker-main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        WORKER_METRICS_PORT: String(metricsPort),
        METRICS_TOKEN: 'm-t',
      },
      stdio: 'ignore',
    });
    children.push(worker);
    await expect.poll(status, { timeout: 30_000, interval: 200 }).toBe(200);
    // The worker's own /metrics: its commit of that report, its queue, behind METRICS_TOKEN.
    const scrape = (auth?: string) =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`, auth ? { headers: { authorization: auth } } : {});
    expect((await scrape()).status).toBe(401);
    const text = await (await scrape('Bearer m-t')).text();
    expect(text).toMatch(/^pingzhan_committed_events_total\{process_role="worker"\} [1-9]/m);
    expect(text).toMatch(/^pingzhan_queue_jobs\{[^}]*state="waiting"[^}]*\} \d+/m);
    expect(text).toContain('process_cpu_seconds_total');
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  }, 90_000);

  it('runs the pipeline in a worker process of its own, restarts it, and takes it down with it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-workers-'));
    dirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir }); // WORKERS defaults to 1
    await waitHealthy(url);
    expect(server.output()).toContain('pipeline: 1 worker process');
    const workerPids = () =>
      spawnSync('pgrep', ['-P', String(server.child.pid), '-f', 'worker-main'])
        .stdout.toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => workerPids().length, { timeout: 20_000 }).toBe(1);
    const [first] = workerPids();
    const cookie = await login(url, 'duty');
    const committed = async (n: number) => {
      const r = await postJson(`${url}/api/v1/incidents`, {
        source: 'worker-test',
        externalId: `own-${n}`,
        kind: 'case',
        category: 'environment',
        title: `垃圾堆放 ${n}`,
        location: { lng: 116.2 + n * 0.01, lat: 39.99 },
      });
      expect(r.status).toBe(202);
      const status = async () =>
        (await fetch(`${url}/api/v1/incidents/${r.body.id}`, { headers: { cookie } })).status;
      await expect.poll(status, { timeout: 30_000, interval: 200 }).toBe(200);
    };
    await committed(1);

    // A worker that dies is replaced, and the new one takes the work.
    process.kill(first, 'SIGKILL');
    await expect
      .poll(() => workerPids().filter((p) => p !== first).length, { timeout: 20_000, interval: 200 })
      .toBe(1);
    await committed(2);

    // A server that dies takes its worker with it: no orphan keeps running.
    const [second] = workerPids();
    server.child.kill('SIGKILL');
    await exited(server.child);
    await expect.poll(() => alive(second), { timeout: 20_000, interval: 200 }).toBe(false);
  }, 120_000);

  it('stops a worker whose server is gone, even one still starting', async () => {
    // Its Redis never answers, so the worker is stuck starting when the channel closes.
    const worker = fork(path.join(ROOT, 'server/worker-main.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, REDIS_URL: 'redis+socket:///nonexistent/redis.sock', PZ_WORKER_CHILD: '1' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    children.push(worker);
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.exitCode).toBe(null);
    worker.disconnect(); // what the server's death looks like from the worker
    expect(await exited(worker)).toBe(0);
  }, 30_000);

  it('exits with the install command when redis-server is missing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-noredis-'));
    dirs.push(dataDir);
    const s = startServer({
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      REDIS_SERVER_BIN: '/nonexistent/redis-server',
    });
    expect(await exited(s.child)).toBe(1);
    expect(s.output()).toContain('redis-server was not found');
    expect(s.output()).toContain('apt-get install redis-server');
    expect(s.output()).toContain('brew install redis');
  }, 60_000);

  it('refuses to start in production with demo credentials', async () => {
    const s = startServer({
      NODE_ENV: 'production',
      DEMO_PASSWORD: 'pingzhan',
      INTAKE_KEYS: 'demo-intake-key',
      PORT: '0',
    });
    expect(await exited(s.child)).toBe(1);
    expect(s.output()).toMatch(/refusing to start in production/);
    expect(s.output()).toMatch(/DEMO_PASSWORD/);
    expect(s.output()).toMatch(/default demo key/);
  }, 60_000);

  it('keeps DATA_DIR to its owner: 0700, no file readable by others, one server at a time', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-owner-'));
    dirs.push(dataDir);
    // As an older version left it: world-readable directory and files.
    chmodSync(dataDir, 0o755);
    mkdirSync(path.join(dataDir, 'redis'), { mode: 0o755 });
    writeFileSync(path.join(dataDir, 'redis', 'redis.log'), '', { mode: 0o644 });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = startServer({ PORT: String(port), DATA_DIR: dataDir });
    await waitHealthy(url);
    const r = await postJson(`${url}/api/v1/incidents`, {
      source: 'owner-test',
      externalId: 'o-1',
      kind: 'case',
      category: 'environment',
      title: '垃圾堆放',
      location: { lng: 116.3, lat: 39.99 },
    });
    expect(r.status).toBe(202);
    const cookie = await login(url, 'duty');
    await expect
      .poll(
        async () => (await fetch(`${url}/api/v1/incidents/${r.body.id}`, { headers: { cookie } })).status,
        {
          timeout: 30_000,
        },
      )
      .toBe(200);

    // Every path under DATA_DIR (the AOF holds sessions and password hashes): owner only.
    const open: string[] = [];
    // As root, PostgreSQL runs as `postgres`, which must pass through DATA_DIR: its group is then
    // `postgres` with search only (0710); nothing inside is open to anyone but its owner.
    const pgGid =
      process.getuid?.() === 0 ? Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim()) : -1;
    const walk = (p: string) => {
      const st = lstatSync(p);
      const pgSearch = p === dataDir && st.gid === pgGid && (st.mode & 0o077) === 0o010;
      if (st.mode & 0o077 && !pgSearch) open.push(`${p} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(path.join(p, n));
    };
    walk(dataDir);
    expect(readdirSync(path.join(dataDir, 'redis', 'appendonlydir')).length).toBeGreaterThan(0);
    expect(open).toEqual([]);

    // A second start on the same DATA_DIR refuses, names the first, and leaves its Redis alone.
    const redisPids = () =>
      spawnSync('pgrep', ['-f', `^redis-server .*${dataDir}`])
        .stdout.toString()
        .trim();
    const before = redisPids();
    expect(before).not.toBe('');
    const second = startServer({ PORT: String(await freePort()), DATA_DIR: dataDir });
    expect(await exited(second.child)).toBe(1);
    expect(second.output()).toContain(`pid ${first.child.pid}`);
    expect(second.output()).toContain(url);
    expect(redisPids()).toBe(before);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const after = await postJson(`${url}/api/v1/incidents`, {
      source: 'owner-test',
      externalId: 'o-2',
      kind: 'case',
      category: 'environment',
      title: '垃圾堆放 2',
      location: { lng: 116.31, lat: 39.99 },
    });
    expect(after.status).toBe(202);
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    // …and once the first has stopped, the directory is free again.
    expect(readdirSync(dataDir)).not.toContain('pingzhan.lock');
  }, 120_000);

  it('never prints the password of REDIS_URL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pz-pw-'));
    dirs.push(dir);
    const port = await freePort();
    // A Redis of this test's own on a free loopback port, with a password (never the machine's).
    const redis = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--requirepass',
        's3cret-pw',
        '--save',
        '',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    children.push(redis);
    const redisUrl = `redis://default:s3cret-pw@127.0.0.1:${port}`;
    const server = startServer({
      PORT: String(await freePort()),
      DATA_DIR: dir,
      REDIS_URL: redisUrl,
      WORKERS: '0',
      WORKER_CONCURRENCY: '0',
    });
    await expect.poll(() => server.output(), { timeout: 60_000 }).toContain('is running at');
    expect(server.output()).toContain(`redis://default:***@127.0.0.1:${port}`);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);

    let out = '';
    const worker = spawn(process.execPath, ['--import', 'tsx', 'server/worker-main.ts'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    worker.stdout!.on('data', (d) => (out += d));
    worker.stderr!.on('data', (d) => (out += d));
    await expect.poll(() => out, { timeout: 60_000 }).toContain('pipeline worker running');
    expect(out).toContain(`redis://default:***@127.0.0.1:${port}`);
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(server.output() + out).not.toContain('s3cret-pw');
    redis.kill('SIGTERM');
  }, 120_000);

  it('has a package.json whose start script runs this entry point', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // `exec`: npm runs the script in `sh -c`, which does not pass npm's SIGTERM on; the exec'd
    // tsx relays it to the launcher, which runs the server in its own process
    // (faults.int.test.ts checks that the whole tree stops).
    expect(pkg.scripts.start).toBe('exec tsx scripts/start.ts');
    expect(readFileSync(path.join(ROOT, 'scripts/start.ts'), 'utf8')).toContain(
      "await import('../server/main.ts')",
    );
  });
});
