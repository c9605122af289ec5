/**
 * The product's real processes in tests: `server/main.ts` started as `npm start` runs it, the
 * children and data directories a test file made, and waiting on them. Shared by the process,
 * fault and history tests so each kill -9 scenario reads the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves with the exit code (null when killed by a signal), at once if it already exited. */
export const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    c.exitCode !== null || c.signalCode !== null
      ? resolve(c.exitCode)
      : c.once('exit', (code) => resolve(code)),
  );

export async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  env: Record<string, string>;
  output: () => string;
};

/**
 * What one test file starts, killed and removed after it (call at the file's top level: it
 * registers the `afterAll`). `strays` are pids started by others (a Redis, a worker) to kill too.
 */
export function processTracker() {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const strays: number[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const pid of strays) signal(pid, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function tempDataDir(name: string): string {
    const d = mkdtempSync(path.join(tmpdir(), `pz-${name}-`));
    dirs.push(d);
    return d;
  }

  /** The real entry point (one node process, so a signal reaches the server itself). */
  function startServer(env: Record<string, string>): ServerProcess {
    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    children.push(child);
    return { child, url: `http://127.0.0.1:${env.PORT}`, env, output: () => out };
  }

  return { children, dirs, strays, tempDataDir, startServer };
}
