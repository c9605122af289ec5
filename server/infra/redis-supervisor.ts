import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { DataDirLock } from './data-dir-lock.ts';

export const REDIS_INSTALL_HELP = [
  'Pingzhan needs redis-server (7 or newer) on the PATH, or REDIS_URL pointing at a Redis.',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  Fedora/RHEL:    sudo dnf install redis',
].join('\n');

export class RedisMissingError extends Error {
  constructor() {
    super(`redis-server was not found.\n${REDIS_INSTALL_HELP}`);
  }
}

/** The binary to run; REDIS_SERVER_BIN may name one off the PATH. */
export function redisServerBin(): string {
  return process.env.REDIS_SERVER_BIN || 'redis-server';
}

export function hasRedisServer(): boolean {
  return spawnSync(redisServerBin(), ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * DATA_DIR holds the AOF (every session and password hash): owner only. An existing directory,
 * and what an older version left in it world-readable, is tightened too.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (p: string, top: boolean) => {
    // DATA_DIR itself may be a symlink (a mounted volume); links inside it are not followed out.
    const st = top ? statSync(p) : lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) chmodSync(p, st.mode & 0o700);
    if (st.isDirectory()) for (const name of readdirSync(p)) tighten(path.join(p, name), false);
  };
  try {
    tighten(dir, true);
  } catch (err) {
    throw new Error(
      `cannot make ${dir} private to its owner (${(err as Error).message}); ` +
        'DATA_DIR must belong to the user that runs Pingzhan',
      { cause: err },
    );
  }
}

type Options = {
  dataDir: string;
  log?: (msg: string) => void;
  /** Tests trade durability for speed; the product always fsyncs every write. */
  fsync?: 'always' | 'everysec' | 'no';
};

/**
 * Runs a private redis-server under DATA_DIR: AOF with fsync on every write (a 202 must survive
 * a crash), noeviction, reachable only through a unix socket. The child is wrapped so that it
 * stops when this process dies, even by SIGKILL: the wrapper watches its stdin pipe.
 * One supervisor per DATA_DIR: it holds the directory's lock from start to stop.
 */
export class RedisSupervisor {
  private child: ChildProcess | null = null;
  private stopping = false;
  private lock: DataDirLock | null = null;
  readonly socketPath: string;
  private readonly dataDir: string;
  private readonly dir: string;

  constructor(private readonly opts: Options) {
    const dataDir = path.resolve(opts.dataDir);
    this.dataDir = dataDir;
    this.dir = path.join(dataDir, 'redis');
    const preferred = path.join(dataDir, 'redis.sock');
    // unix socket paths are limited to ~107 bytes
    this.socketPath =
      preferred.length < 100 ? preferred : path.join(tmpdir(), `pz-redis-${process.pid}-${Date.now()}.sock`);
  }

  get url(): string {
    return `redis+socket://${this.socketPath}`;
  }

  async start(): Promise<void> {
    if (!hasRedisServer()) throw new RedisMissingError();
    makePrivateDir(this.dataDir);
    // Before anything touches the directory: a live owner's Redis must be left alone.
    this.lock = DataDirLock.acquire(this.dataDir);
    try {
      makePrivateDir(this.dir);
      await this.shutdownStale();
      this.spawnChild();
      await this.waitReady();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Tells a second starter on this DATA_DIR where the running owner answers. */
  announce(address: string): void {
    this.lock?.update({ address });
  }

  private spawnChild(): void {
    const args = [
      '--port',
      '0',
      '--unixsocket',
      this.socketPath,
      '--unixsocketperm',
      '700',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      this.opts.fsync ?? 'always',
      '--save',
      '',
      // Redis rewrites (compacts) the AOF in a forked child each time the file doubles; the
      // default floor of 64 MB means a rewrite every few seconds in a storm (the AOF grows about
      // 6 kB per event), each one taking CPU from the pipeline. A higher floor rewrites far less often.
      '--auto-aof-rewrite-min-size',
      '512mb',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      path.join(this.dir, 'redis.log'),
    ];
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // umask: redis 7 creates the AOF, its manifest and log with 0644 (and appendonlydir 0755);
    // it has no setting for that, so its files get the umask of the shell that starts it.
    // When our end of stdin closes (we exited, however), `cat` returns and redis gets SIGTERM,
    // which makes it flush the AOF and exit cleanly.
    // (background jobs get /dev/null as stdin, hence the copy to fd 3)
    const bin = `'${redisServerBin().replace(/'/g, `'\\''`)}'`;
    const script = `umask 077; exec 3<&0; ${bin} ${quoted} & pid=$!; trap 'kill -TERM $pid 2>/dev/null' TERM INT; (cat <&3 >/dev/null; kill -TERM $pid 2>/dev/null) & wait $pid`;
    // Its own process group: a Ctrl-C in the terminal must not stop Redis before we have finished.
    const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'inherit', 'inherit'], detached: true });
    this.child = child;
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      this.opts.log?.(`redis-server exited unexpectedly (code ${code}, signal ${signal}); restarting`);
      void sleep(500).then(() => {
        if (this.stopping) return;
        this.spawnChild();
      });
    });
  }

  /**
   * A server killed with SIGKILL may leave its redis running for a moment; stop it first. Only
   * called with the DATA_DIR lock held, so the owner of any Redis found here is dead.
   */
  private async shutdownStale(): Promise<void> {
    if (!existsSync(this.socketPath)) return;
    const probe = new Redis({
      path: this.socketPath,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      this.opts.log?.('found a running redis-server from an earlier start; shutting it down');
      await probe.call('SHUTDOWN').catch(() => undefined);
      for (let i = 0; i < 100 && existsSync(this.socketPath); i++) await sleep(50);
    } catch {
      rmSync(this.socketPath, { force: true });
    } finally {
      probe.disconnect();
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (existsSync(this.socketPath)) {
        const c = new Redis({
          path: this.socketPath,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        c.on('error', () => undefined);
        try {
          await c.connect();
          // PING answers while the AOF is still loading; wait for the data too
          const info = await c.info('persistence');
          if (/loading:0/.test(info)) return;
        } catch {
          // not ready yet
        } finally {
          c.disconnect();
        }
      }
      if (!this.child)
        throw new Error(`redis-server failed to start; see ${path.join(this.dir, 'redis.log')}`);
      await sleep(25);
    }
    throw new Error('redis-server did not become ready within 30 s');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      await Promise.race([exited, sleep(10_000)]);
      if (this.child) child.kill('SIGKILL');
    }
    // Only once Redis is down may the next owner start one on the same files.
    this.lock?.release();
    this.lock = null;
  }
}
