import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLockedError, LOCK_FILE } from './data-dir-lock.ts';
import { makePrivateDir } from './redis-supervisor.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'pz-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that surely belongs to no process: one that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('DataDirLock', () => {
  it('lets one owner in and names it to the next', () => {
    const dir = tempDir();
    const lock = DataDirLock.acquire(dir);
    lock.update({ address: 'http://127.0.0.1:8080' });
    let err: unknown;
    try {
      DataDirLock.acquire(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as Error).message).toContain('http://127.0.0.1:8080');
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    DataDirLock.acquire(dir).release();
  });

  it('takes over the lock of an owner that died (kill -9 leaves it behind)', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: deadPid(), token: 'old', startedAt: '2026-01-01T00:00:00Z' }));
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not take a reused pid for the owner (a container restarts with the same pid)', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE);
    // Our own pid, but a process start time that is not ours: an earlier process with this pid.
    writeFileSync(file, JSON.stringify({ pid: process.pid, token: 'old', startedAt: 'x', procStart: '1' }));
    const lock = DataDirLock.acquire(dir);
    expect(JSON.parse(readFileSync(file, 'utf8')).token).not.toBe('old');
    lock.release();
  });

  it('treats an unreadable old lock file as stale', () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE);
    writeFileSync(file, 'garbage');
    const old = new Date(Date.now() - 60_000);
    // utimes via touch keeps this test free of timing: the file is simply old
    spawnSync('touch', ['-d', old.toISOString(), file]);
    DataDirLock.acquire(dir).release();
  });

  it('gives a stale lock to exactly one of several starters racing for it', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: deadPid(), token: 'old', startedAt: '2026-01-01T00:00:00Z' }),
    );
    // Each starter loads, says it is ready, and tries on the same "go": a real race.
    const script = `
      import { DataDirLock } from ${JSON.stringify(path.resolve(import.meta.dirname, 'data-dir-lock.ts'))};
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => {
        let out;
        try { DataDirLock.acquire(${JSON.stringify(dir)}); out = 'won'; } catch (e) { out = e.constructor.name; }
        process.stdout.write(out + '\\n');
      });
      process.stdin.on('end', () => process.exit(0));`;
    const starters = Array.from({ length: 4 }, () => {
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let out = '';
      const lines = (n: number) =>
        new Promise<string[]>((resolve) => {
          const check = () => {
            const l = out.split('\n').filter(Boolean);
            if (l.length >= n) resolve(l);
          };
          c.stdout!.on('data', (d) => ((out += d), check()));
          check();
        });
      return { c, lines };
    });
    await Promise.all(starters.map((s) => s.lines(1)));
    for (const s of starters) s.c.stdin!.write('go');
    // Each holds what it got until all have answered, so a winner is alive while the others try.
    const answers = (await Promise.all(starters.map((s) => s.lines(2)))).map((l) => l[1]);
    for (const s of starters) s.c.stdin!.end();
    await Promise.all(starters.map((s) => new Promise((r) => s.c.once('exit', r))));
    expect(answers.filter((a) => a === 'won')).toHaveLength(1);
    expect(answers.filter((a) => a === 'DataDirLockedError')).toHaveLength(3);
  }, 30_000);
});

describe('makePrivateDir (the DATA_DIR the lock guards)', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;

  it('creates DATA_DIR 0700 and tightens what an older version left open', () => {
    const root = tempDir();
    const fresh = path.join(root, 'fresh', 'data');
    makePrivateDir(fresh);
    expect(mode(fresh)).toBe(0o700);

    const old = path.join(root, 'old');
    mkdirSync(path.join(old, 'redis', 'appendonlydir'), { recursive: true, mode: 0o755 });
    chmodSync(old, 0o755);
    writeFileSync(path.join(old, 'redis', 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'x', {
      mode: 0o644,
    });
    makePrivateDir(old);
    expect(mode(old)).toBe(0o700);
    expect(mode(path.join(old, 'redis', 'appendonlydir'))).toBe(0o700);
    expect(mode(path.join(old, 'redis', 'appendonlydir', 'appendonly.aof.1.incr.aof'))).toBe(0o600);
  });

  it('follows a DATA_DIR that is a symlink, but no link inside it', () => {
    const root = tempDir();
    const target = path.join(root, 'volume');
    mkdirSync(target, { mode: 0o755 });
    chmodSync(target, 0o755);
    const outside = path.join(root, 'outside.txt');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, path.join(target, 'link'));
    symlinkSync(target, path.join(root, 'data'));
    makePrivateDir(path.join(root, 'data'));
    expect(mode(target)).toBe(0o700);
    expect(mode(outside)).toBe(0o644);
  });
});
